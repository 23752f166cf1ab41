package dev.sdcond.models;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import java.util.Locale;

/**
 * The dtype a tower computes in.
 *
 * <ul>
 *   <li>{@code FLOAT32}, {@code FLOAT16}: everything in that dtype (float16 is meant for GPUs, where libtorch's
 *       layer norm and softmax accumulate in float32).</li>
 *   <li>{@code BFLOAT16}: the matrix products of the transformer layers (weights, their inputs and outputs, attention)
 *       in bfloat16; the residual stream, the layer norms, the embeddings and the projections in float32, as
 *       autocast would do. bfloat16 goes through sdcond's TorchScript kernels ({@code dev.sdcond.models.kernels.TorchScriptKernels}): DJL 0.36's JNI cannot name that dtype
 *       (asking it to create or convert to bfloat16 aborts the process), but libtorch computes with bfloat16 tensors
 *       once they exist. None leaves a layer.</li>
 * </ul>
 */
public enum Precision {
    /** float32 throughout. */
    FLOAT32(DataType.FLOAT32),
    /** float16 weights and compute (meant for GPUs). */
    FLOAT16(DataType.FLOAT16),
    /** float32 weights, bfloat16 matrix products and attention, float32 elsewhere. */
    BFLOAT16(DataType.FLOAT32);

    private final DataType loadType;

    Precision(DataType loadType) {
        this.loadType = loadType;
    }

    /**
     * The dtype parameters are read, constants folded and activations between layers kept in.
     *
     * @return the dtype weights are loaded in
     */
    public DataType loadType() {
        return loadType;
    }

    /**
     * Whether the transformer layers' matrix products run in bfloat16 (else in {@link #loadType()}).
     *
     * @return whether products run in bfloat16
     */
    public boolean bfloat16Products() {
        return this == BFLOAT16;
    }


    /**
     * Parses {@code float32|fp32|float16|fp16|half|bfloat16|bf16}.
     *
     * @param s {@code float32}, {@code float16} or {@code bfloat16} (and aliases)
     * @return the precision
     */
    public static Precision parse(String s) {
        switch (s.toLowerCase(Locale.ROOT)) {
            case "float32": case "fp32": case "f32": return FLOAT32;
            case "float16": case "fp16": case "f16": case "half": return FLOAT16;
            case "bfloat16": case "bf16": return BFLOAT16;
            default: throw new dev.sdcond.models.InvalidInputException("unknown dtype '" + s + "' (float32, float16, bfloat16)");
        }
    }

    @Override
    public String toString() {
        return name().toLowerCase(Locale.ROOT);
    }
}
