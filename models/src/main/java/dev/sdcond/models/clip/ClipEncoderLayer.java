package dev.sdcond.models.clip;

import ai.djl.ndarray.NDArray;
import dev.sdcond.models.LinearKernel;
import dev.sdcond.models.kernels.ClipLayerKernel;
import dev.sdcond.models.weights.WeightReader;

/**
 * One pre-LN transformer block ({@code encoder.layers.i}): {@code h = x + attn(ln1(x))}, {@code h + mlp(ln2(h))}.
 *
 * <p>The math lives in one place, the TorchScript kernels' {@code clip_layer} ({@code src/main/torchscript}), for
 * every device and dtype: a forward is one call per layer into libtorch ({@link ClipLayerKernel}), with the layer's
 * twelve parameters and fixed arguments handed over once at load, in place of a dozen calls per layer that bound a
 * batch-1 forward on a GPU by the host. This class loads and prepares the parameters: the fused, scaled qkv
 * projection ({@link ClipAttention}), the MLP with quick_gelu's constant folded in ({@link ClipMlp}), bfloat16
 * products or weights packed for oneDNN or MKL as the reader says.
 */
final class ClipEncoderLayer {
    private final ClipLayerKernel kernel; // null in the header pass

    private ClipEncoderLayer(ClipLayerKernel kernel) {
        this.kernel = kernel;
    }

    static ClipEncoderLayer load(WeightReader r, String name, LayerSpec spec) {
        LayerNorm ln1 = LayerNorm.load(r, name + ".layer_norm1", spec.width(), spec.eps());
        ClipAttention attn = ClipAttention.load(r, name + ".self_attn", spec);
        LayerNorm ln2 = LayerNorm.load(r, name + ".layer_norm2", spec.width(), spec.eps());
        ClipMlp mlp = ClipMlp.load(r, name + ".mlp", spec);
        if (r.headerOnly()) {
            return new ClipEncoderLayer(null);
        }
        return new ClipEncoderLayer(ClipLayerKernel.prepare(new NDArray[] {
            ln1.weight(), ln1.bias(), attn.qkv().weight(), attn.qkv().bias(), attn.outProj().weight(),
            attn.outProj().bias(), ln2.weight(), ln2.bias(), mlp.fc1().weight(), mlp.fc1().bias(), mlp.fc2().weight(),
            mlp.fc2().bias()}, spec.heads(), (float) spec.eps(), spec.act().layerKernelName(),
                new LinearKernel[] {attn.qkv().kernel(), attn.outProj().kernel(), mlp.fc1().kernel(),
                    mlp.fc2().kernel()}, spec.tokens(), r.kernels().attention(spec.tokens(), spec.heads(),
                            spec.width(), ln1.weight().getManager())));
    }

    /**
     * @param x [B*T, W], the residual stream
     * @param tokens T
     * @param mask whom each position attends to (causal for text towers)
     * @return [B*T, W], in the manager of {@code x}
     */
    NDArray forward(NDArray x, int tokens, AttentionMask mask) {
        return kernel.forward(x, tokens, mask.causal());
    }

    /**
     * The layer's output at some rows only: every row's keys and values, those rows' queries and MLP.
     *
     * @param x [B*T, W], the residual stream
     * @param tokens T
     * @param mask whom each position attends to (causal for text towers)
     * @param at the flat rows wanted, int64 [N] (row b*T + t is position t of sequence b)
     * @return [N, W], in the manager of {@code x}
     */
    NDArray forwardRows(NDArray x, int tokens, AttentionMask mask, NDArray at) {
        return kernel.forwardRows(x, tokens, mask.causal(), at);
    }
}
