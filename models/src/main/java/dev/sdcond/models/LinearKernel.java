package dev.sdcond.models;

/**
 * How a tower's projections (qkv, out, fc1, fc2) run their matrix products, asked for once when it is loaded
 * ({@link Compute#linear()}). Every kernel but {@link #PLAIN} is checked against {@link #PLAIN} on the machine, for
 * each product shape, while the tower loads; a shape where it disagrees runs plain (and the tower says so once).
 */
public enum LinearKernel {
    /**
     * Per product shape, the fastest of the packed kernels that agree with {@link #PLAIN} on this machine (float32 on
     * the CPU: {@link #PACKED}, and {@link #MKL} for vision towers), measured once per machine and kept in the cache
     * folder; {@link #PLAIN} where none agrees, and elsewhere ({@code dev.sdcond.models.kernels.KernelPlan}).
     */
    AUTO,
    /** libtorch's linear (MKL's sgemm on the CPU) on the weights as stored. */
    PLAIN,
    /**
     * oneDNN's linear on weights reordered once at load into its blocked layout, with the MLP's activation fused into
     * fc1 (CPU, float32 only; elsewhere, and where this libtorch lacks the op, {@link #PLAIN}).
     */
    PACKED,
    /**
     * MKL's GEMM on weights packed once at load for the tower's sequence length ({@code cblas_sgemm_pack}), one product
     * per sequence (CPU, float32 only, towers with a fixed sequence length: vision towers; elsewhere, and where this
     * libtorch lacks the op, {@link #PLAIN}). The last layer keeps its weights as stored, so that it can run for the
     * class token alone when only the pooled outputs need it.
     */
    MKL;

    /**
     * The code of this kernel in {@code kernels.py} ({@code Kernels.PLAIN}, {@code ONEDNN}, {@code MKL}).
     *
     * @return 0, 1 or 2
     * @throws IllegalArgumentException for {@link #AUTO}, which is no kernel of its own
     */
    public int code() {
        return switch (this) {
            case PLAIN -> 0;
            case PACKED -> 1;
            case MKL -> 2;
            case AUTO -> throw new IllegalArgumentException("a resolved linear kernel, not AUTO");
        };
    }
}
