package dev.sdcond.models.kernels;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import dev.sdcond.models.LinearKernel;
import java.util.List;

/**
 * Checks one product kernel on one weight against libtorch's plain product, on the machine it runs on: the same
 * weight and bias, a few rows of fixed input of unit variance (what a layer norm hands a projection), the layer's own
 * code for both ({@link TorchScriptKernels#linear}).
 *
 * <p>The error is the largest absolute difference, over the largest absolute value of the plain result (its scale).
 * Tolerances, from the spread measured across kernels and CPUs ({@code docs/kernels.md}):
 * <ul>
 *   <li>float32 kernels: {@value #FLOAT32_TOLERANCE}. Correct oneDNN and MKL products differed from plain ones by at
 *       most 2.1e-6 of the scale for widths 8 to 8192 and 1 to 616 rows (AMD Zen 5; the Intel Xeon with AVX-512
 *       within 2e-5 of the values), so the bound leaves about 50x; the wrong results reported on a Zen 5 CPU were off
 *       by 0.3 to 2.5 times the scale.</li>
 *   <li>bfloat16 products: {@value #BFLOAT16_TOLERANCE}. Rounding the inputs and weights to 8 significant bits puts
 *       each product term off by up to 2^-8 of itself; the sum's error, over the scale, measured 3.1e-3 to 6.8e-3
 *       for every layer shape of the real families and the tiny fixtures (widths 32 to 8192).</li>
 * </ul>
 */
final class ProductCheck {
    /** The largest error a correct float32 kernel may show, relative to the plain result's scale. */
    public static final double FLOAT32_TOLERANCE = 1e-4;
    /** The same for bfloat16 products. */
    public static final double BFLOAT16_TOLERANCE = 3e-2;

    private ProductCheck() {}

    /**
     * The row counts a kernel is checked at: the tower's sequence length (a batch of one) and one row (a pooled row
     * alone: a vector product), each against the plain product of the whole sequence (its first row for the one);
     * MKL-packed weights multiply whole sequences only, so those are checked at the sequence length alone.
     *
     * @param kernel the kernel
     * @param tokens the tower's sequence length
     * @return the row counts
     */
    static List<Integer> rowCounts(ProductKernel kernel, int tokens) {
        return kernel == ProductKernel.MKL ? List.of(tokens) : List.of(1, tokens);
    }

    /**
     * Runs {@code kernel} and the plain product on the same weight and compares them.
     *
     * @param weight [out, in] in the tower's load dtype, as read (left open)
     * @param bias [out] (left open)
     * @param kernel the kernel to check (not {@link ProductKernel#PLAIN})
     * @param prepared the weight as the kernel keeps it ({@link ProductKernel#prepare}; left open)
     * @param tokens the tower's sequence length
     * @param post the activation fused into the product: {@code none}, {@code gelu} or {@code swish}
     * @return the verdict
     */
    static ProductVerdict run(NDArray weight, NDArray bias, ProductKernel kernel, NDArray prepared, int tokens,
            String post) {
        long out = weight.getShape().get(0);
        long in = weight.getShape().get(1);
        double tolerance = kernel == ProductKernel.BFLOAT16 ? BFLOAT16_TOLERANCE : FLOAT32_TOLERANCE;
        double worst = 0;
        try (NDManager scratch = weight.getManager().newSubManager()) {
            NDArray b = bias;
            if (kernel == ProductKernel.BFLOAT16) { // a bfloat16 product adds a bfloat16 bias
                b = TorchScriptKernels.toBFloat16(bias);
                b.attach(scratch);
            }
            // one plain product at the sequence length; fewer rows are compared with its first rows
            NDArray all = input(scratch, tokens, in, weight.getDataType());
            NDArray reference = TorchScriptKernels.linear(all, weight, bias, LinearKernel.PLAIN, tokens, post);
            for (int rows : rowCounts(kernel, tokens)) {
                NDArray x = rows == tokens ? all : all.get(new ai.djl.ndarray.index.NDIndex(":{}", rows));
                NDArray ref = rows == tokens ? reference : reference.get(new ai.djl.ndarray.index.NDIndex(":{}", rows));
                NDArray got = TorchScriptKernels.linear(x, prepared, b, kernel.linear(), tokens, post);
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

    /**
     * Rows of unit variance whose values look random but are the same on every run: {@code sqrt(2) sin(i * phi)} over
     * the flat index i, with phi the golden ratio (no period within any row or across rows), made by libtorch on the
     * weight's device (seeded Java random numbers cost more than the products they feed).
     *
     * @param m where the rows are made
     * @param rows the rows
     * @param in their width
     * @param dtype their dtype
     * @return [rows, in]
     */
    static NDArray input(NDManager m, long rows, long in, DataType dtype) {
        NDArray i = m.arange(0f, (float) (rows * in), 1f, DataType.FLOAT32);
        NDArray x = i.muli(1.618034f).sin().muli((float) Math.sqrt(2)).reshape(rows, in);
        return dtype == DataType.FLOAT32 ? x : x.toType(dtype, false);
    }
}
