package dev.sdcond.models;

import dev.sdcond.models.layout.TowerKind;

/**
 * How a tower's projections (qkv, out, fc1, fc2) run their matrix products, chosen once when it is loaded
 * ({@link Compute#linear()}).
 */
public enum LinearKernel {
    /**
     * {@link #PACKED} for text towers in float32 on the CPU, {@link #PLAIN} elsewhere. Measured on a 2-core Xeon with
     * AVX-512 (libtorch 2.7.1): packed was ~13% faster on CLIP-L text at batch 1 (77 rows per product), on par at
     * batch 8, and ~10% slower on ViT-H/14 (257 rows, wider products).
     */
    AUTO,
    /** libtorch's linear (MKL's sgemm on the CPU) on the weights as stored. */
    PLAIN,
    /**
     * oneDNN's linear on weights reordered once at load into its blocked layout, with the MLP's activation fused into
     * fc1 (CPU, float32 only; elsewhere, and where this libtorch lacks the op, {@link #PLAIN}).
     */
    PACKED;

    /**
     * Whether a tower loaded now packs its projections.
     *
     * @param kind the tower's kind
     * @param precision the compute dtype
     * @param gpu whether it runs on a GPU
     * @return true to pack
     */
    public boolean packs(TowerKind kind, Precision precision, boolean gpu) {
        if (this == PLAIN || gpu || precision != Precision.FLOAT32 || !TorchScriptKernels.packedLinearAvailable()) {
            return false;
        }
        return this == PACKED || kind == TowerKind.TEXT;
    }
}
