package dev.sdcond.models.clip;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import dev.sdcond.models.weights.WeightReader;

/**
 * {@code y = x W^T + b}.
 *
 * @param weight [out, in]
 * @param bias [out], or null for none
 */
record Linear(NDArray weight, NDArray bias) {

    static Linear load(WeightReader r, String name, long out, long in) {
        return new Linear(r.take(name + ".weight", out, in), r.take(name + ".bias", out));
    }

    static Linear loadNoBias(WeightReader r, String name, long out, long in) {
        return new Linear(r.take(name + ".weight", out, in), null);
    }

    /** This projection with its weight and bias in the dtype of the layers' matrix products (closes this one's). */
    Linear forProducts(WeightReader r) {
        return new Linear(r.forProducts(weight), bias == null ? null : r.forProducts(bias));
    }

    /**
     * @param x [..., in], contiguous
     * @return [..., out]
     */
    NDArray forward(NDArray x) {
        if (bias == null) {
            return ai.djl.nn.core.Linear.linear(x, weight).singletonOrThrow();
        }
        // libtorch's C++ linear fuses the bias into the product (addmm) only for 2-D inputs; for [B, T, in] it runs
        // matmul and then a separate bias add over the whole output. Flattening (a view) gets the fused path.
        Shape s = x.getShape();
        if (s.dimension() == 2) {
            return ai.djl.nn.core.Linear.linear(x, weight, bias).singletonOrThrow();
        }
        long[] out = s.getShape().clone(); // getShape() hands out the shape's own array
        out[out.length - 1] = weight.getShape().get(0);
        try (NDArray flat = x.reshape(-1, s.get(s.dimension() - 1))) {
            NDArray y = ai.djl.nn.core.Linear.linear(flat, weight, bias).singletonOrThrow();
            try (y) {
                return y.reshape(out);
            }
        }
    }
}
