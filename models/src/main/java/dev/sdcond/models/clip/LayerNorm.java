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

    /** The norm of {@code x} (float32), in bfloat16 for the matrix product that follows. */
    NDArray forwardToBFloat16(NDArray x) {
        return dev.sdcond.models.TorchScriptKernels.layerNormToBFloat16(x, weight, bias, eps);
    }

    NDArray forward(NDArray x) {
        return ai.djl.nn.norm.LayerNorm.layerNorm(x, new Shape(weight.getShape().get(0)), weight, bias, eps)
                .singletonOrThrow();
    }
}
