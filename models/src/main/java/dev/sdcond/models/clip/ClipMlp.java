package dev.sdcond.models.clip;

import ai.djl.ndarray.NDArray;
import dev.sdcond.models.config.Activation;
import dev.sdcond.models.weights.WeightReader;

/**
 * The parameters of {@code fc2(act(fc1(x)))}, prepared for {@link ClipEncoderLayer}.
 *
 * <p>quick_gelu, {@code h * sigmoid(1.702 h)}, has its constant folded into the weights at load time: with
 * {@code z = 1.702 h} (fc1 scaled by 1.702) it is {@code (z / 1.702) * sigmoid(z)}, and the division moves into fc2's
 * weight, leaving {@code z * sigmoid(z)} (swish): no per-call scalar, one elementwise pass fewer, and with packed
 * weights oneDNN applies it in fc1's own pass.
 *
 * @param fc1 [I, W]
 * @param fc2 [W, I]
 */
record ClipMlp(Linear fc1, Linear fc2) {
    private static final float QUICK_GELU = 1.702f;

    static ClipMlp load(WeightReader r, String name, LayerSpec spec) {
        Linear fc1 = Linear.load(r, name + ".fc1", spec.intermediate(), spec.width());
        Linear fc2 = Linear.load(r, name + ".fc2", spec.width(), spec.intermediate());
        if (spec.act() == Activation.QUICK_GELU) {
            fc1 = new Linear(scaled(fc1.weight(), QUICK_GELU), scaled(fc1.bias(), QUICK_GELU));
            fc2 = new Linear(scaled(fc2.weight(), 1 / QUICK_GELU), fc2.bias());
        }
        return new ClipMlp(fc1.forProducts(r, "fc1", spec.act().layerKernelName(), spec.tokens()),
                fc2.forProducts(r, "fc2", "none", spec.tokens()));
    }

    private static NDArray scaled(NDArray a, float factor) {
        try (a) {
            return a.mul(factor);
        }
    }
}
