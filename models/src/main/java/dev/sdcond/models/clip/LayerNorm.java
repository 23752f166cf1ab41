package dev.sdcond.models.clip;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import dev.sdcond.models.weights.WeightReader;

/**
 * Layer norm over the last axis.
 *
 * @param weight [W]
 * @param bias [W]
 */
record LayerNorm(NDArray weight, NDArray bias, float eps) {

    static LayerNorm load(WeightReader r, String name, long width, double eps) {
        return new LayerNorm(r.take(name + ".weight", width), r.take(name + ".bias", width), (float) eps);
    }

    NDArray forward(NDArray x) {
        return ai.djl.nn.norm.LayerNorm.layerNorm(x, new Shape(weight.getShape().get(0)), weight, bias, eps)
                .singletonOrThrow();
    }
}
