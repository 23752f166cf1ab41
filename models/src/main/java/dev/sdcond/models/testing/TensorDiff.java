package dev.sdcond.models.testing;

import java.util.Arrays;

/**
 * How one tensor differs from its reference.
 *
 * @param key the tensor's name
 * @param expectedShape the reference's shape
 * @param actualShape the compared tensor's shape
 * @param maxAbs largest |actual - expected| (NaN when the shapes differ)
 * @param meanAbs mean |actual - expected|
 * @param worstIndex the multi-dimensional index of the largest difference
 * @param expectedAtWorst the reference value there
 * @param actualAtWorst the compared value there
 * @param ok whether every element satisfies {@code |a - e| <= atol + rtol * |e|} (numpy's allclose) and the shapes agree
 */
public record TensorDiff(String key, long[] expectedShape, long[] actualShape, double maxAbs, double meanAbs,
        long[] worstIndex, double expectedAtWorst, double actualAtWorst, boolean ok) {

    /**
     * Compares two flat float arrays of the given shapes.
     *
     * @param key the tensor's name
     * @param expectedShape the reference's shape
     * @param expected the reference's values
     * @param actualShape the shape compared
     * @param actual the values compared
     * @param atol the absolute tolerance
     * @param rtol the relative tolerance
     * @return the comparison
     */
    public static TensorDiff of(String key, long[] expectedShape, float[] expected, long[] actualShape, float[] actual,
            double atol, double rtol) {
        if (!Arrays.equals(expectedShape, actualShape)) {
            return new TensorDiff(key, expectedShape, actualShape, Double.NaN, Double.NaN, new long[0], Double.NaN,
                    Double.NaN, false);
        }
        double max = -1;
        double sum = 0;
        int worst = 0;
        boolean ok = true;
        for (int i = 0; i < expected.length; i++) {
            double e = expected[i];
            double a = actual[i];
            // as numpy's allclose with equal_nan: equal values (the same infinity too) and two NaNs agree
            double d = a == e ? 0 : Math.abs(a - e);
            if (Double.isNaN(d)) {
                d = Double.isNaN(a) && Double.isNaN(e) ? 0 : Double.POSITIVE_INFINITY;
            }
            boolean finite = Double.isFinite(a) && Double.isFinite(e);
            if (finite ? !(d <= atol + rtol * Math.abs(e)) : d != 0) {
                ok = false;
            }
            sum += d;
            if (d > max) {
                max = d;
                worst = i;
            }
        }
        long[] idx = unravel(worst, expectedShape);
        return new TensorDiff(key, expectedShape, actualShape, Math.max(max, 0), expected.length == 0 ? 0 : sum / expected.length,
                idx, expected.length == 0 ? 0 : expected[worst], actual.length == 0 ? 0 : actual[worst], ok);
    }

    private static long[] unravel(long flat, long[] shape) {
        long[] idx = new long[shape.length];
        for (int d = shape.length - 1; d >= 0; d--) {
            if (shape[d] > 0) {
                idx[d] = flat % shape[d];
                flat /= shape[d];
            }
        }
        return idx;
    }

    /**
     * One line for people: key, shapes, errors, worst index.
     *
     * @return one line: shape, errors, worst index
     */
    public String describe() {
        if (!Arrays.equals(expectedShape, actualShape)) {
            return String.format("%-32s MISMATCH shape %s vs expected %s", key, Arrays.toString(actualShape),
                    Arrays.toString(expectedShape));
        }
        return String.format("%-32s %-4s %-16s max %.3e  mean %.3e  worst %s (%.6g vs %.6g)", key, ok ? "ok" : "FAIL",
                Arrays.toString(actualShape), maxAbs, meanAbs, Arrays.toString(worstIndex), actualAtWorst,
                expectedAtWorst);
    }
}
