package dev.sdcond.models.clip;

import ai.djl.ndarray.NDArray;
import dev.sdcond.models.config.Activation;
import dev.sdcond.models.weights.WeightReader;

/** One pre-LN transformer block ({@code encoder.layers.i}). */
final class ClipEncoderLayer {
    private final LayerNorm layerNorm1;
    private final ClipAttention selfAttn;
    private final LayerNorm layerNorm2;
    private final ClipMlp mlp;
    private final boolean bfloat16; // products in bfloat16, the residual stream and norms in float32

    private ClipEncoderLayer(LayerNorm layerNorm1, ClipAttention selfAttn, LayerNorm layerNorm2, ClipMlp mlp,
            boolean bfloat16) {
        this.layerNorm1 = layerNorm1;
        this.selfAttn = selfAttn;
        this.layerNorm2 = layerNorm2;
        this.mlp = mlp;
        this.bfloat16 = bfloat16;
    }

    static ClipEncoderLayer load(WeightReader r, String name, int width, int heads, int intermediate, double eps,
            Activation act) {
        return new ClipEncoderLayer(
                LayerNorm.load(r, name + ".layer_norm1", width, eps),
                ClipAttention.load(r, name + ".self_attn", width, heads),
                LayerNorm.load(r, name + ".layer_norm2", width, eps),
                ClipMlp.load(r, name + ".mlp", width, intermediate, act),
                r.precision().bfloat16Products());
    }

    /** @param x [B*T, W]; @param tokens T; @param mask the additive [T, T] causal mask or null */
    NDArray forward(NDArray x, int tokens, NDArray mask) {
        if (bfloat16) { // bfloat16 + float32 promotes to float32: the residual stream stays float32
            NDArray h = selfAttn.forward(layerNorm1.forwardToBFloat16(x), tokens, mask).add(x);
            return mlp.forward(layerNorm2.forwardToBFloat16(h)).add(h);
        }
        NDArray h = selfAttn.forwardAdd(layerNorm1.forward(x), tokens, mask, x);
        return mlp.forwardAdd(layerNorm2.forward(h), h);
    }
}
