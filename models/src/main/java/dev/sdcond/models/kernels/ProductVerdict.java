package dev.sdcond.models.kernels;

import java.util.Locale;

/**
 * What {@link ProductCheck} found for one kernel on one product shape.
 *
 * @param kernel the kernel checked
 * @param out the weight's output width
 * @param in the weight's input width
 * @param rows the row count the verdict is about: the first that disagreed, else the tower's sequence length
 * @param post the activation fused into the product
 * @param error the largest absolute difference from the plain product, relative to its largest absolute value
 *     (NaN where the kernel gave NaN)
 * @param tolerance the most a correct kernel may show ({@link ProductCheck})
 */
public record ProductVerdict(ProductKernel kernel, long out, long in, int rows, String post, double error,
        double tolerance) implements KernelVerdict {

    /**
     * Whether the kernel agrees with the plain product.
     *
     * @return whether the error is within the tolerance
     */
    @Override
    public boolean ok() {
        return error <= tolerance;
    }

    @Override
    public String label() {
        return kernel.label();
    }

    /**
     * The product's shape in messages.
     *
     * @return e.g. {@code [3072 x 768] x 77 rows, swish}
     */
    public String shape() {
        return "[" + out + " x " + in + "] x " + rows + " row" + (rows == 1 ? "" : "s")
                + (post.equals("none") ? "" : ", " + post);
    }

    @Override
    public String toString() {
        return kernel.label() + " " + shape() + ": " + (ok() ? "ok" : "WRONG") + String.format(Locale.ROOT,
                " (error %.2g of the scale, tolerance %.0g)", error, tolerance);
    }
}
