package dev.sdcond.models.safetensors;

import java.util.Arrays;

/**
 * One header entry of a safetensors file.
 *
 * @param name the tensor's key
 * @param dtype its element type
 * @param shape its dimensions (empty for a scalar)
 * @param begin start of its bytes, relative to the data section
 * @param end end (exclusive) of its bytes, relative to the data section
 */
public record TensorInfo(String name, DType dtype, long[] shape, long begin, long end) {
    /**
     * Copies the shape.
     *
     * @param name the tensor's key
     * @param dtype its element type
     * @param shape its dimensions
     * @param begin start of its bytes
     * @param end end (exclusive) of its bytes
     */
    public TensorInfo {
        shape = shape.clone();
    }

    /**
     * The dimensions.
     *
     * @return a copy
     */
    @Override
    public long[] shape() {
        return shape.clone();
    }

    /**
     * The size in bytes.
     *
     * @return end - begin
     */
    public long byteLength() {
        return end - begin;
    }

    /**
     * The element count.
     *
     * @return the product of the dimensions
     */
    public long elementCount() {
        long n = 1;
        for (long d : shape) {
            n *= d;
        }
        return n;
    }

    /**
     * The shape, for messages.
     *
     * @return e.g. {@code [77, 768]}
     */
    public String shapeString() {
        return Arrays.toString(shape);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof TensorInfo t && name.equals(t.name) && dtype == t.dtype && Arrays.equals(shape, t.shape)
                && begin == t.begin && end == t.end;
    }

    @Override
    public int hashCode() {
        return name.hashCode() * 31 + Arrays.hashCode(shape);
    }

    @Override
    public String toString() {
        return name + " " + dtype + shapeString();
    }
}
