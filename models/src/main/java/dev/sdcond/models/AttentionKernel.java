package dev.sdcond.models;

/** Which attention kernel a tower uses, chosen once when it is loaded ({@link Compute#attention()}). */
public enum AttentionKernel {
    /**
     * libtorch's fused {@code scaled_dot_product_attention} (flash or memory-efficient kernels on CUDA, the flash kernel
     * on CPU), which never writes the [B, H, T, T] score tensor. The default; where sdcond's TorchScript kernels cannot
     * be loaded, towers fall back to {@link #EXPLICIT} (see {@link #resolve()}).
     */
    FUSED,
    /** The explicit product, softmax, product (float32 and float16 only: bfloat16 always takes the fused kernel). */
    EXPLICIT;

    /**
     * The kernel a tower loaded now gets.
     *
     * @return this, or {@link #EXPLICIT} for {@link #FUSED} when the fused kernel cannot be loaded
     */
    public AttentionKernel resolve() {
        return this == FUSED && !TorchScriptKernels.available() ? EXPLICIT : this;
    }
}
