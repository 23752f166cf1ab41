package dev.sdcond.models;

import dev.sdcond.models.layout.TowerKind;

/**
 * How a tower's projections (qkv, out, fc1, fc2) run their matrix products, chosen once when it is loaded
 * ({@link Compute#linear()}).
 */
public enum LinearKernel {
    /**
     * {@link #PACKED} for text towers and {@link #MKL} for vision towers, in float32 on the CPU; {@link #PLAIN}
     * elsewhere. Measured on a 2-core Xeon with AVX-512 (libtorch 2.7.1), products of one layer alone: CLIP-L text at
     * batch 1 (77 rows) 5.4 ms oneDNN-packed, 6.5 MKL-packed, 7.3 plain; ViT-H/14 at batch 1 (257 rows) 37 ms
     * MKL-packed, 44 plain, 49 oneDNN-packed (medians of 12 alternating rounds).
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
     * The kernel a tower loaded now uses.
     *
     * @param kind the tower's kind
     * @param precision the compute dtype
     * @param gpu whether it runs on a GPU
     * @return {@link #PLAIN}, {@link #PACKED} or {@link #MKL}
     */
    public LinearKernel resolve(TowerKind kind, Precision precision, boolean gpu) {
        if (this == PLAIN || gpu || precision != Precision.FLOAT32 || !TorchScriptKernels.packedLinearAvailable()) {
            return PLAIN;
        }
        LinearKernel k = this == AUTO ? (kind == TowerKind.TEXT ? PACKED : MKL) : this;
        return k == MKL && kind == TowerKind.TEXT ? PLAIN : k;
    }
}
