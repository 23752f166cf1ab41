package dev.sdcond.models.kernels;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.sdcond.models.LinearKernel;
import dev.sdcond.models.TorchScriptKernels;
import java.util.List;
import java.util.Random;

/**
 * Checks one product kernel on one weight against libtorch's plain product, on the machine it runs on: the same
 * weight and bias, a few rows of seeded standard-normal input (what a layer norm hands a projection), the layer's own
 * code for both ({@link TorchScriptKernels#linear}).
 *
 * <p>The error is the largest absolute difference, over the largest absolute value of the plain result (its scale).
 * Tolerances, from the spread measured across kernels and CPUs (README, "Kernels you can trust"):
 * <ul>
 *   <li>float32 kernels: {@value #FLOAT32_TOLERANCE}. Correct oneDNN and MKL products differed from plain ones by at
 *       most 1.2e-6 of the scale for widths 8 to 5120 and 1 to 616 rows (Zen 5, Xeon with AVX-512), so the bound
 *       leaves 80x; the wrong results reported on a Zen 5 CPU were off by 0.3 to 2.5 times the scale.</li>
 *   <li>bfloat16 products: {@value #BFLOAT16_TOLERANCE}. Rounding the inputs and weights to 8 significant bits puts
 *       each product term off by up to 2^-8 of itself; the sum's error, over the scale, measured 2e-3 to 8e-3 for
 *       widths 32 to 5120.</li>
 * </ul>
 */
public final class ProductCheck {
    /** The largest error a correct float32 kernel may show, relative to the plain result's scale. */
    public static final double FLOAT32_TOLERANCE = 1e-4;
    /** The same for bfloat16 products. */
    public static final double BFLOAT16_TOLERANCE = 3e-2;

    private ProductCheck() {}

    /**
     * The row counts a kernel is checked at: one row (a pooled row alone), a few, and the tower's sequence length
     * (a batch of one); MKL-packed weights multiply whole sequences only, so those are checked at the sequence
     * length alone.
     *
     * @param kernel the kernel
     * @param tokens the tower's sequence length
     * @return the row counts
     */
    static List<Integer> rowCounts(ProductKernel kernel, int tokens) {
        return kernel == ProductKernel.MKL ? List.of(tokens) : List.of(1, 5, tokens);
    }

    /**
     * Runs {@code kernel} and the plain product on the same weight and compares them.
     *
     * @param weight [out, in] in the tower's load dtype, as read (left open)
     * @param bias [out] (left open)
     * @param kernel the kernel to check (not {@link ProductKernel#PLAIN})
     * @param tokens the tower's sequence length
     * @param post the activation fused into the product: {@code none}, {@code gelu} or {@code swish}
     * @param faults how the kernel's prepared weight is spoiled on purpose ({@link KernelFaults#NONE} outside tests)
     * @return the verdict
     */
    static ProductVerdict run(NDArray weight, NDArray bias, ProductKernel kernel, int tokens, String post,
            KernelFaults faults) {
        long out = weight.getShape().get(0);
        long in = weight.getShape().get(1);
        double tolerance = kernel == ProductKernel.BFLOAT16 ? BFLOAT16_TOLERANCE : FLOAT32_TOLERANCE;
        double worst = 0;
        try (NDManager scratch = weight.getManager().newSubManager()) {
            NDArray w = kernel.prepare(weight, tokens, faults);
            w.attach(scratch);
            NDArray b = kernel.prepareBias(bias);
            b.attach(scratch);
            for (int rows : rowCounts(kernel, tokens)) {
                NDArray x = input(scratch, rows, in, weight.getDataType());
                NDArray ref = TorchScriptKernels.linear(x, weight, bias, LinearKernel.PLAIN, tokens, post);
                NDArray got = TorchScriptKernels.linear(x, w, b, kernel.linear(), tokens, post);
                if (got.getDataType() != ref.getDataType()) {
                    got = got.toType(ref.getDataType(), false);
                }
                double scale = ref.abs().max().toType(DataType.FLOAT64, false).getDouble();
                double err = got.sub(ref).abs().max().toType(DataType.FLOAT64, false).getDouble();
                double relative = err / Math.max(scale, Double.MIN_NORMAL);
                if (!(relative <= tolerance)) { // NaN fails too
                    return new ProductVerdict(kernel, out, in, rows, post, relative, tolerance);
                }
                worst = Math.max(worst, relative);
            }
        }
        return new ProductVerdict(kernel, out, in, tokens, post, worst, tolerance);
    }

    /** Seeded standard-normal rows, the same for every kernel and run of a shape. */
    private static NDArray input(NDManager m, int rows, long in, DataType dtype) {
        Random r = new Random(rows * 1_000_003L + in);
        float[] x = new float[Math.toIntExact(rows * in)];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) r.nextGaussian();
        }
        NDArray a = m.create(x, new Shape(rows, in));
        return dtype == DataType.FLOAT32 ? a : a.toType(dtype, false);
    }
}
