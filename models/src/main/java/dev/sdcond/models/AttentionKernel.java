package dev.sdcond.models;

/**
 * Which attention kernel a tower uses, chosen once when it is loaded ({@link Compute#attention()}); both run inside
 * the encoder layer of sdcond's TorchScript kernels ({@link TorchScriptKernels}).
 */
public enum AttentionKernel {
    /**
     * libtorch's fused {@code scaled_dot_product_attention} (flash or memory-efficient kernels on CUDA, the flash kernel
     * on CPU), which never writes the [B, H, T, T] score tensor. The default.
     */
    FUSED,
    /** The explicit product, softmax, product (float32 and float16 only: bfloat16 always takes the fused kernel). */
    EXPLICIT
}
