package dev.sdcond.models.kernels;

import dev.sdcond.models.AttentionKernel;
import dev.sdcond.models.LinearKernel;
import ai.djl.ndarray.NDArray;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.engine.PtNDManager;
import ai.djl.pytorch.jni.IValue;

/**
 * One pre-LN CLIP encoder layer as one call into sdcond's TorchScript kernels ({@code clip_layer} in
 * {@code src/main/torchscript/kernels.py}, the only implementation of its math for every device and dtype):
 * {@code h = x + attn(ln1(x))}, then {@code h + mlp(ln2(h))}.
 *
 * <p>The layer's twelve parameters and fixed arguments become TorchScript values once, at load (each is a native
 * object; making them per call would cost as many host calls as the layer saves). They are closed with the manager of
 * the layer's weights.
 */
public final class ClipLayerKernel {
    private final IValue params;
    private final IValue heads;
    private final IValue eps;
    private final IValue act;
    private final IValue packing;
    private final IValue rows;
    private final IValue fused;

    private ClipLayerKernel(IValue[] values) {
        this.params = values[0];
        this.heads = values[1];
        this.eps = values[2];
        this.act = values[3];
        this.packing = values[4];
        this.rows = values[5];
        this.fused = values[6];
    }

    /**
     * Prepares one layer; its values live as long as the manager of {@code params[0]} (the tower's weights), which
     * must still take resources (not capped).
     *
     * @param params layer_norm1 weight and bias, the fused qkv weight and bias (query rows scaled by
     *     {@code head_dim^-0.5}), out_proj weight and bias, layer_norm2 weight and bias, fc1 weight and bias, fc2
     *     weight and bias
     * @param heads the attention heads
     * @param eps the layer norms' epsilon
     * @param act {@code swish} (quick_gelu with its constant folded into fc1 and fc2) or {@code gelu} (erf)
     * @param packing how each of the four weights (qkv, out_proj, fc1, fc2) is kept: {@code PLAIN}, {@code PACKED}
     *     ({@link TorchScriptKernels#packLinear}) or {@code MKL} ({@link TorchScriptKernels#packMkl})
     * @param tokens the sequence length MKL-packed weights were packed for
     * @param attention libtorch's fused attention, or the explicit product, softmax, product
     * @return the layer
     */
    public static ClipLayerKernel prepare(NDArray[] params, int heads, float eps, String act, LinearKernel[] packing,
            int tokens, AttentionKernel attention) {
        TorchScriptKernels.requireModule();
        if (packing.length != 4) {
            throw new IllegalArgumentException("one linear kernel per projection (qkv, out_proj, fc1, fc2), not "
                    + packing.length);
        }
        PtNDArray[] tensors = new PtNDArray[params.length];
        for (int i = 0; i < params.length; i++) {
            tensors[i] = (PtNDArray) params[i];
        }
        long[] codes = java.util.Arrays.stream(packing).mapToLong(LinearKernel::code).toArray();
        IValue[] values = {IValue.listFrom(tensors), IValue.from((long) heads), IValue.from((double) eps),
            IValue.from(act), IValue.listFrom(codes), IValue.from((long) tokens),
            IValue.from(attention == AttentionKernel.FUSED)};
        params[0].getManager().attachInternal("clip-layer-" + values[0].getUid(), values);
        return new ClipLayerKernel(values);
    }

    /**
     * The layer at every row.
     *
     * @param x [B*T, W], the residual stream
     * @param tokens T
     * @param causal whether position i attends only to positions up to i
     * @return [B*T, W], in the manager of {@code x}
     */
    public NDArray forward(NDArray x, int tokens, boolean causal) {
        return call("clip_layer", x, tokens, causal, fused);
    }

    /**
     * The layer at some rows only, for a last layer whose pooled rows alone are wanted: the keys and values of every
     * row, the queries, out projection and MLP of those rows. Each row gets what {@link #forward} computes for it, up
     * to the rounding of products of another row count. Attention is the explicit form here whatever the layer's
     * kernel: it gives a row the same bits at any thread count, which libtorch's fused kernel does not for one row.
     *
     * @param x [B*T, W], the residual stream
     * @param tokens T
     * @param causal whether position i attends only to positions up to i
     * @param at the flat rows wanted, int64 [N] (row b*T + t is position t of sequence b)
     * @return [N, W], in the manager of {@code x}
     * @throws ai.djl.engine.EngineException on MKL-packed weights (products of whole sequences only: a vision
     *     tower's last layer keeps its weights as stored)
     */
    public NDArray forwardRows(NDArray x, int tokens, boolean causal, NDArray at) {
        try (IValue r = IValue.from((PtNDArray) at)) {
            return call("clip_layer_rows", x, tokens, causal, r);
        }
    }

    /** Runs one of the layer's methods: the arguments both take, then {@code more} (its own). */
    private NDArray call(String method, NDArray x, int tokens, boolean causal, IValue... more) {
        try (IValue a = IValue.from((PtNDArray) x)) {
            IValue[] args = new IValue[9 + more.length];
            IValue[] common = {a, params, TorchScriptKernels.constant(tokens), heads, causal ? TorchScriptKernels.TRUE
                : TorchScriptKernels.FALSE, eps, act, packing, rows};
            System.arraycopy(common, 0, args, 0, common.length);
            System.arraycopy(more, 0, args, common.length, more.length);
            return TorchScriptKernels.run(method, (PtNDManager) x.getManager(), args);
        }
    }
}
