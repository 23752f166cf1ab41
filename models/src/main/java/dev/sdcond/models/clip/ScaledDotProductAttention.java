package dev.sdcond.models.clip;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.sdcond.models.AttentionKernel;
import dev.sdcond.models.TorchScriptKernels;

/**
 * Multi-head {@code softmax(q k^T [+ causal mask]) v}, with the scale already folded into {@code q}.
 *
 * <p>The kernel is the tower's, chosen when it was loaded ({@link AttentionKernel}): libtorch's fused
 * {@code scaled_dot_product_attention} through {@link TorchScriptKernels}, or the explicit product, softmax, product.
 */
final class ScaledDotProductAttention {
    private ScaledDotProductAttention() {}

    /**
     * Multi-head attention over the fused projection.
     *
     * @param kernel the tower's kernel (resolved: {@link AttentionKernel#FUSED} only where it can be loaded)
     * @param qkv [B*T, 3W]: the query (already scaled by {@code D^-0.5}), key and value projections side by side
     * @param tokens T
     * @param heads H (D = W / H)
     * @param causalMask the additive [T, T] causal mask (0 on and below the diagonal, -inf above), or null for full
     *     attention; the fused kernel masks by itself and only looks at whether it is null
     * @return [B*T, W], in the manager of {@code qkv}
     */
    static NDArray attend(AttentionKernel kernel, NDArray qkv, int tokens, int heads, NDArray causalMask) {
        // bfloat16 (which DJL reports as UNKNOWN) always takes the fused kernel: DJL's softmax cannot name the dtype
        return kernel == AttentionKernel.FUSED || qkv.getDataType() == DataType.UNKNOWN
                ? TorchScriptKernels.attend(qkv, tokens, heads, causalMask != null)
                : explicit(qkv, tokens, heads, causalMask);
    }

    private static NDArray explicit(NDArray qkv, int tokens, int heads, NDArray causalMask) {
        Shape s = qkv.getShape();
        long n = s.get(0);
        long w = s.get(1) / 3;
        NDArray qkvh = qkv.reshape(n / tokens, tokens, 3, heads, w / heads).transpose(2, 0, 3, 1, 4); // [3,B,H,T,D]
        NDArray scores = qkvh.get(0).matMul(qkvh.get(1).transpose(0, 1, 3, 2)); // [B, H, T, T]
        if (causalMask != null) {
            scores = scores.add(causalMask);
        }
        NDArray o = scores.softmax(-1).matMul(qkvh.get(2)); // [B, H, T, D]
        return o.transpose(0, 2, 1, 3).reshape(n, w);
    }
}
