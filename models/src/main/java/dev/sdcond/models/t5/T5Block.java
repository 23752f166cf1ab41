package dev.sdcond.models.t5;

import ai.djl.ndarray.NDArray;
import dev.sdcond.models.weights.WeightReader;

/**
 * One T5 encoder block ({@code encoder.block.i}): {@code x + o(attn(rms(x)))}, then {@code x + wo(gelu_tanh(wi_0 h) *
 * wi_1 h)} with {@code h = rms(x)}; no biases anywhere. The matrices are kept and multiplied as {@link T5Weights}
 * says; everything between the products is float32.
 */
final class T5Block {
    private final NDArray norm0; // [d]
    private final NDArray q; // [inner, d]
    private final NDArray k;
    private final NDArray v;
    private final NDArray o; // [d, inner]
    private final NDArray norm1; // [d]
    private final NDArray wi0; // [ff, d]
    private final NDArray wi1; // [ff, d]
    private final NDArray wo; // [d, ff]
    private final T5Config c;
    private final T5Weights products;

    private T5Block(T5Config c, T5Weights products, NDArray... w) {
        this.c = c;
        this.products = products;
        this.norm0 = w[0];
        this.q = w[1];
        this.k = w[2];
        this.v = w[3];
        this.o = w[4];
        this.norm1 = w[5];
        this.wi0 = w[6];
        this.wi1 = w[7];
        this.wo = w[8];
    }

    static T5Block load(WeightReader r, String name, T5Config c, T5Weights w) {
        String att = name + ".layer.0.SelfAttention.";
        String ff = name + ".layer.1.DenseReluDense.";
        int d = c.dModel();
        int inner = c.innerDim();
        return new T5Block(c, w, r.take(name + ".layer.0.layer_norm.weight", d),
                w.matrix(r, att + "q.weight", false, inner, d), w.matrix(r, att + "k.weight", false, inner, d),
                w.matrix(r, att + "v.weight", false, inner, d), w.matrix(r, att + "o.weight", false, d, inner),
                r.take(name + ".layer.1.layer_norm.weight", d), w.matrix(r, ff + "wi_0.weight", false, c.dFf(), d),
                w.matrix(r, ff + "wi_1.weight", false, c.dFf(), d), w.matrix(r, ff + "wo.weight", true, d, c.dFf()));
    }

    /**
     * @param x [B*T, d]
     * @param positionBias [1, H, T, T]
     * @param consts the scalars, made once at load
     * @return [B*T, d]
     */
    NDArray forward(NDArray x, int b, int t, NDArray positionBias, Constants consts) {
        int heads = c.numHeads();
        int dk = c.dKv();
        NDArray h = rmsNorm(x, norm0, consts);
        NDArray qh = linear(h, q).reshape(b, t, heads, dk).transpose(0, 2, 1, 3); // [B, H, T, D]
        NDArray kh = linear(h, k).reshape(b, t, heads, dk).transpose(0, 2, 3, 1); // [B, H, D, T]
        NDArray vh = linear(h, v).reshape(b, t, heads, dk).transpose(0, 2, 1, 3);
        NDArray scores = qh.matMul(kh).addi(positionBias); // no 1/sqrt(d_kv): T5 folds it into its init
        NDArray attn = scores.softmax(-1).matMul(vh).transpose(0, 2, 1, 3).reshape((long) b * t, c.innerDim());
        x = x.add(linear(attn, o));
        h = rmsNorm(x, norm1, consts);
        NDArray gate = geluTanh(linear(h, wi0), consts);
        return x.add(linear(gate.muli(linear(h, wi1)), wo));
    }

    /**
     * The scalars of the block's arithmetic as device arrays, made once at load: a Java number in an NDArray op makes a
     * new device tensor (a host-to-device copy on GPUs) on every call.
     *
     * @param eps the RMS norms' epsilon
     * @param cubic 0.044715, the tanh GELU's cubic coefficient
     * @param sqrt2OverPi sqrt(2 / pi)
     * @param half 0.5
     * @param one 1
     */
    record Constants(NDArray eps, NDArray cubic, NDArray sqrt2OverPi, NDArray half, NDArray one) {
        static Constants of(ai.djl.ndarray.NDManager m, T5Config c) {
            return new Constants(m.create((float) c.layerNormEpsilon()), m.create(0.044715f),
                    m.create((float) Math.sqrt(2 / Math.PI)), m.create(0.5f), m.create(1f));
        }
    }

    /** {@code x / sqrt(mean(x^2) + eps) * weight} over the last axis. */
    static NDArray rmsNorm(NDArray x, NDArray weight, Constants k) {
        NDArray variance = x.square().mean(new int[] {-1}, true);
        return x.div(variance.addi(k.eps()).sqrt()).muli(weight);
    }

    /** transformers' {@code gelu_new}: {@code 0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3)))}. */
    private static NDArray geluTanh(NDArray x, Constants k) {
        NDArray inner = x.square().muli(x).muli(k.cubic()).addi(x).muli(k.sqrt2OverPi()).tanh();
        return inner.addi(k.one()).muli(x).muli(k.half());
    }

    private NDArray linear(NDArray x, NDArray weight) {
        return products.linear(x, weight);
    }
}
