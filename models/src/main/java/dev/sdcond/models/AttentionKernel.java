package dev.sdcond.models;


/**
 * Which attention kernel a tower uses, chosen once when it is loaded ({@link Compute#attention()}); both run inside
 * the encoder layer of sdcond's TorchScript kernels ({@code dev.sdcond.models.kernels.TorchScriptKernels}).
 */
public enum AttentionKernel {
    /**
     * libtorch's fused {@code scaled_dot_product_attention} (flash or memory-efficient kernels on CUDA, the flash kernel
     * on CPU), which never writes the [B, H, T, T] score tensor. The default; checked against {@link #EXPLICIT} on
     * the machine while a tower loads.
     */
    FUSED,
    /**
     * The explicit product, softmax, product, with the [B, H, T, T] scores written out (bfloat16 computed in float32,
     * the result back in bfloat16). A tower whose fused kernel disagrees with it on this machine runs this one; the
     * pooled rows ({@code clip_layer_rows}) always do, whichever is asked for.
     */
    EXPLICIT
}
