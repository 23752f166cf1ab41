package dev.sdcond.models.clip;

import ai.djl.ndarray.NDArray;
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
     * @param x [N, in]: 2-D, so that libtorch's C++ linear fuses the bias into the product (addmm); for more axes it
     *     runs matmul and then a separate bias pass (the encoder keeps its activations flat for this)
     * @return [N, out]
     */
    NDArray forward(NDArray x) {
        return bias == null
                ? ai.djl.nn.core.Linear.linear(x, weight).singletonOrThrow()
                : ai.djl.nn.core.Linear.linear(x, weight, bias).singletonOrThrow();
    }
}
