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

    private ClipEncoderLayer(LayerNorm layerNorm1, ClipAttention selfAttn, LayerNorm layerNorm2, ClipMlp mlp) {
        this.layerNorm1 = layerNorm1;
        this.selfAttn = selfAttn;
        this.layerNorm2 = layerNorm2;
        this.mlp = mlp;
    }

    static ClipEncoderLayer load(WeightReader r, String name, int width, int heads, int intermediate, double eps,
            Activation act) {
        return new ClipEncoderLayer(
                LayerNorm.load(r, name + ".layer_norm1", width, eps),
                ClipAttention.load(r, name + ".self_attn", width, heads),
                LayerNorm.load(r, name + ".layer_norm2", width, eps),
                ClipMlp.load(r, name + ".mlp", width, intermediate, act));
    }

    /** @param x [B*T, W]; @param tokens T; @param mask the additive [T, T] causal mask or null */
    NDArray forward(NDArray x, int tokens, NDArray mask) {
        NDArray h = selfAttn.forward(layerNorm1.forward(x), tokens, mask).addi(x);
        return mlp.forward(layerNorm2.forward(h)).addi(h);
    }
}
