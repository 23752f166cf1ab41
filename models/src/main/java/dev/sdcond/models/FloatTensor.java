package dev.sdcond.models;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import java.util.Arrays;

/**
 * A tensor copied out of DJL into plain Java: its shape and its float32 values in row-major order. It lives as long
 * as the caller keeps it, with no manager to close.
 *
 * @param shape the dimensions
 * @param values {@code prod(shape)} values, row-major
 */
public record FloatTensor(long[] shape, float[] values) {
    /**
     * Checks that the values fill the shape, and copies the shape.
     *
     * @param shape the dimensions
     * @param values row-major values
     */
    public FloatTensor {
        long n = 1;
        for (long d : shape) {
            n = Math.multiplyExact(n, d);
        }
        if (n != values.length) {
            throw new IllegalArgumentException(values.length + " values for shape " + Arrays.toString(shape));
        }
        shape = shape.clone();
    }

    /**
     * Copies an array to the host as float32.
     *
     * @param a any array, on any device, or null
     * @return its copy, or null for null
     */
    public static FloatTensor of(NDArray a) {
        if (a == null) {
            return null;
        }
        try (NDArray f = a.toType(DataType.FLOAT32, true)) {
            return new FloatTensor(a.getShape().getShape(), f.toFloatArray());
        }
    }

    /** @return a copy of the dimensions */
    @Override
    public long[] shape() {
        return shape.clone();
    }

    /**
     * The value at a full index, e.g. {@code get(0, 76, 767)}.
     *
     * @param index one index per dimension
     * @return the value there
     */
    public float get(long... index) {
        if (index.length != shape.length) {
            throw new IllegalArgumentException(index.length + " indices for " + shape.length + " dimensions");
        }
        long flat = 0;
        for (int d = 0; d < shape.length; d++) {
            if (index[d] < 0 || index[d] >= shape[d]) {
                throw new IndexOutOfBoundsException("index " + index[d] + " of dimension " + d + " (size " + shape[d] + ")");
            }
            flat = flat * shape[d] + index[d];
        }
        return values[(int) flat];
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof FloatTensor t && Arrays.equals(shape, t.shape) && Arrays.equals(values, t.values);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(shape) * 31 + Arrays.hashCode(values);
    }

    @Override
    public String toString() {
        return "FloatTensor" + Arrays.toString(shape);
    }
}
