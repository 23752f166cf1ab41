package dev.sdcond.models.weights;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Map;
import java.util.Optional;
import java.util.SplittableRandom;

/**
 * Seeded random parameters of whatever shape the loader asks for, for plumbing and shape tests and benchmarks
 * without downloads. Each tensor depends only on the seed and its name, so results are reproducible on any machine.
 * Weights and biases are uniform with transformers' init scale (standard deviation 0.02; transformers itself zeroes
 * biases), layer-norm weights 1.
 *
 * @param seed the seed
 * @param optionalShapes shapes of the optional parameters to provide (e.g. {@code text_projection.weight})
 */
public record RandomParameters(long seed, Map<String, long[]> optionalShapes) implements ParameterSource {

    @Override
    public String describe() {
        return "random weights (seed " + seed + ")";
    }

    @Override
    public String storedName(String hfName) {
        return hfName;
    }

    /** Only the optional parameters report a shape: required ones are generated in whatever shape is asked for. */
    @Override
    public Optional<long[]> shape(String hfName) {
        return Optional.ofNullable(optionalShapes.get(hfName)).map(long[]::clone);
    }

    @Override
    public NDArray load(String hfName, NDManager manager, DataType dtype) {
        long[] s = optionalShapes.get(hfName);
        if (s == null) {
            throw new IllegalArgumentException("random parameters need the shape of " + hfName);
        }
        return generate(hfName, s, manager, dtype);
    }

    @Override
    public boolean generated() {
        return true;
    }

    @Override
    public NDArray load(String hfName, long[] shape, NDManager manager, DataType dtype) {
        long[] optional = optionalShapes.get(hfName);
        return generate(hfName, optional != null ? optional : shape, manager, dtype);
    }

    /**
     * Generates one parameter.
     *
     * @param hfName the parameter's name (seeds it)
     * @param shape its shape
     * @param manager where the array is made
     * @param dtype its dtype
     * @return the array
     */
    public NDArray generate(String hfName, long[] shape, NDManager manager, DataType dtype) {
        long n = new Shape(shape).size();
        ByteBuffer b = ByteBuffer.allocateDirect(Math.toIntExact(n * 4)).order(ByteOrder.nativeOrder());
        boolean norm = hfName.contains("layer_norm") || hfName.contains("layernorm") || hfName.contains("layrnorm");
        if (norm && hfName.endsWith(".weight")) {
            for (int i = 0; i < n; i++) {
                b.putFloat(i * 4, 1f);
            }
        } else {
            // Biases too, unlike transformers' init (zeros): with zero layer-norm biases every row of a normed hidden
            // state has mean 0, and A1111's weighting (which rescales by the chunk's mean) divides rounding noise.
            // Blocks of 64k values, each with its own generator: the same numbers whatever the thread count.
            final double halfWidth = 0.02 * Math.sqrt(3); // uniform on [-a, a] has standard deviation a / sqrt(3)
            final int block = 1 << 16;
            long seedOfTensor = seed * 0x9E3779B97F4A7C15L ^ hfName.hashCode();
            java.util.stream.IntStream.range(0, (int) ((n + block - 1) / block)).parallel().forEach(k -> {
                SplittableRandom r = new SplittableRandom(seedOfTensor + k * 0xBF58476D1CE4E5B9L);
                int end = (int) Math.min(n, (long) (k + 1) * block);
                for (int i = k * block; i < end; i++) {
                    b.putFloat(i * 4, (float) ((r.nextDouble() * 2 - 1) * halfWidth));
                }
            });
        }
        try (NDArray raw = manager.create(b, new Shape(shape), DataType.FLOAT32)) {
            return dtype == DataType.FLOAT32 ? raw.duplicate() : raw.toType(dtype, false);
        } finally {
            dev.sdcond.models.io.DirectBuffers.free(b);
        }
    }
}
