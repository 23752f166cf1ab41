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

    NDArray forward(NDArray x) {
        return bias == null
                ? ai.djl.nn.core.Linear.linear(x, weight).singletonOrThrow()
                : ai.djl.nn.core.Linear.linear(x, weight, bias).singletonOrThrow();
    }
}
