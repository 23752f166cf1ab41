package dev.sdcond.models.kernels;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import dev.sdcond.models.AttentionKernel;
import dev.sdcond.models.Precision;
import java.util.Locale;

/**
 * Checks libtorch's fused attention against the explicit product, softmax, product (computed in float32 for
 * bfloat16) for a tower's sequence length, heads and width, on the device it runs on: one sequence of fixed queries,
 * keys and values of unit variance ({@link ProductCheck#input}). The error is relative to the largest absolute value: attention's output is
 * a weighted mean of the values. Tolerances: {@value #FLOAT32_TOLERANCE} in float32 and float16 (fused and explicit
 * agreed within 1.4e-6 over every family's shape on a Zen 5; float16 rounds to 1e-3 of the scale),
 * {@value #BFLOAT16_TOLERANCE} in bfloat16 (its inputs and output round to 2^-8 of themselves; measured up to 5.9e-3).
 */
final class AttentionCheck {
    /** The largest error fused attention may show in float32 and float16, relative to the values' scale. */
    public static final double FLOAT32_TOLERANCE = 1e-2;
    /** The same in bfloat16. */
    public static final double BFLOAT16_TOLERANCE = 5e-2;

    private AttentionCheck() {}

    /**
     * The verdict on fused attention for one shape.
     *
     * @param precision the dtype it ran in
     * @param tokens the sequence length
     * @param heads the heads
     * @param width the width
     * @param causal whether the tower is causal
     * @param error the largest absolute difference from the explicit form, over the values' scale
     * @param tolerance the most a correct kernel may show
     */
    public record Verdict(Precision precision, int tokens, int heads, int width, boolean causal, double error,
            double tolerance) implements KernelVerdict {
        @Override
        public String label() {
            return "fused attention" + (precision == Precision.BFLOAT16 ? " bfloat16" : "");
        }

        /**
         * Whether fused and explicit attention agree.
         *
         * @return whether the error is within the tolerance
         */
        @Override
        public boolean ok() {
            return error <= tolerance;
        }

        @Override
        public String toString() {
            return label() + " " + tokens + " tokens x " + heads + " heads x " + width / heads
                    + (causal ? ", causal" : "") + ": " + (ok() ? "ok" : "WRONG")
                    + String.format(Locale.ROOT, " (error %.2g of the scale, tolerance %.0g)", error, tolerance);
        }
    }

    /**
     * Compares fused with explicit attention.
     *
     * @param manager where the scratch arrays are made (a sub-manager is closed before returning)
     * @param precision the tower's precision (bfloat16 attention runs in bfloat16)
     * @param tokens the sequence length
     * @param heads the heads
     * @param width the width
     * @param causal whether position i attends only to positions up to i
     * @return the verdict
     */
    public static Verdict run(NDManager manager, Precision precision, int tokens, int heads, int width,
            boolean causal) {
        double tolerance = precision == Precision.BFLOAT16 ? BFLOAT16_TOLERANCE : FLOAT32_TOLERANCE;
        try (NDManager scratch = manager.newSubManager()) {
            NDArray qkv = ProductCheck.input(scratch, tokens, 3L * width, DataType.FLOAT32);
            NDArray in = precision == Precision.BFLOAT16 ? TorchScriptKernels.toBFloat16(qkv)
                    : qkv.toType(precision.loadType(), false);
            NDArray fused = TorchScriptKernels.attention(in, tokens, heads, causal, AttentionKernel.FUSED)
                    .toType(DataType.FLOAT32, false);
            NDArray explicit = TorchScriptKernels.attention(in, tokens, heads, causal, AttentionKernel.EXPLICIT)
                    .toType(DataType.FLOAT32, false);
            double scale = explicit.abs().max().toType(DataType.FLOAT64, false).getDouble();
            double err = fused.sub(explicit).abs().max().toType(DataType.FLOAT64, false).getDouble();
            return new Verdict(precision, tokens, heads, width, causal,
                    err / Math.max(scale, Double.MIN_NORMAL), tolerance);
        }
    }
}
