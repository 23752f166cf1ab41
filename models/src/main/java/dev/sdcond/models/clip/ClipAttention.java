package dev.sdcond.models.clip;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import dev.sdcond.models.weights.WeightReader;

/**
 * The parameters of multi-head self-attention ({@code self_attn}), prepared for {@link ClipEncoderLayer}: the q, k and
 * v projections fused into one [3W, W] matrix at load time, with the {@code head_dim^-0.5} scale folded into the
 * query rows, so a forward pass is one GEMM for qkv, the attention kernel and one GEMM for the output projection.
 *
 * @param qkv [3W, W]: scaled q rows, then k, then v
 * @param outProj [W, W]
 */
record ClipAttention(Linear qkv, Linear outProj) {

    static ClipAttention load(WeightReader r, String name, LayerSpec spec) {
        int width = spec.width();
        float scale = (float) Math.pow(width / spec.heads(), -0.5);
        Linear outProj = Linear.load(r, name + ".out_proj", width, width).forProducts(r, "out_proj", "none",
                spec.tokens());
        if (r.shape(name + ".in_proj_weight").isPresent()) {
            // stored fused (OpenCLIP): scale the q rows in place of a copy per projection
            NDArray w = r.take(name + ".in_proj_weight", 3L * width, width);
            NDArray b = r.take(name + ".in_proj_bias", 3L * width);
            return new ClipAttention(new Linear(scaleQueryRows(w, width, scale), scaleQueryRows(b, width, scale))
                    .forProducts(r, "qkv", "none", spec.tokens()), outProj);
        }
        Linear q = Linear.load(r, name + ".q_proj", width, width);
        Linear k = Linear.load(r, name + ".k_proj", width, width);
        Linear v = Linear.load(r, name + ".v_proj", width, width);
        try (NDArray qw = q.weight().mul(scale); NDArray qb = q.bias().mul(scale)) {
            Linear fused = new Linear(NDArrays.concat(new NDList(qw, k.weight(), v.weight()), 0),
                    NDArrays.concat(new NDList(qb, k.bias(), v.bias()), 0));
            for (Linear l : new Linear[] {q, k, v}) {
                l.weight().close();
                l.bias().close();
            }
            return new ClipAttention(fused.forProducts(r, "qkv", "none", spec.tokens()), outProj);
        }
    }

    /** [3W, ...] with the first W rows multiplied by {@code scale}. */
    private static NDArray scaleQueryRows(NDArray fused, int width, float scale) {
        try (NDArray q = fused.get(new ai.djl.ndarray.index.NDIndex(":{}", width)).mul(scale);
                NDArray kv = fused.get(new ai.djl.ndarray.index.NDIndex("{}:", width))) {
            NDArray out = NDArrays.concat(new NDList(q, kv), 0);
            fused.close();
            return out;
        }
    }
}
