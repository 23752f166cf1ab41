package dev.sdcond.models.clip;

import ai.djl.ndarray.NDArray;
import dev.sdcond.models.config.Activation;
import dev.sdcond.models.weights.WeightReader;

/**
 * {@code fc2(act(fc1(x)))}.
 *
 * <p>quick_gelu, {@code h * sigmoid(1.702 h)}, has its constant folded into the weights at load time: with
 * {@code z = 1.702 h} (fc1 scaled by 1.702) it is {@code (z / 1.702) * sigmoid(z)}, and the division moves into fc2's
 * weight, leaving {@code z * sigmoid(z)}: no per-call scalar, one elementwise pass fewer.
 */
final class ClipMlp {
    private static final float QUICK_GELU = 1.702f;

    private final Linear fc1; // [I, W]
    private final Linear fc2; // [W, I]
    private final Activation act;

    private ClipMlp(Linear fc1, Linear fc2, Activation act) {
        this.fc1 = fc1;
        this.fc2 = fc2;
        this.act = act;
    }

    static ClipMlp load(WeightReader r, String name, int width, int intermediate, Activation act) {
        Linear fc1 = Linear.load(r, name + ".fc1", intermediate, width);
        Linear fc2 = Linear.load(r, name + ".fc2", width, intermediate);
        if (act == Activation.QUICK_GELU) {
            fc1 = new Linear(scaled(fc1.weight(), QUICK_GELU), scaled(fc1.bias(), QUICK_GELU));
            fc2 = new Linear(scaled(fc2.weight(), 1 / QUICK_GELU), fc2.bias());
        }
        return new ClipMlp(fc1.forProducts(r), fc2.forProducts(r), act);
    }

    private static NDArray scaled(NDArray a, float factor) {
        try (a) {
            return a.mul(factor);
        }
    }

    /** {@code fc2(act(fc1(x))) + residual}: with packed weights, two oneDNN passes (activation and sum fused). */
    NDArray forwardAdd(NDArray x, NDArray residual) {
        if (fc1.packed()) { // swish(z) = z * sigmoid(z): quick_gelu with the 1.702 folded into the weights
            return fc2.forwardAdd(fc1.forward(x, act == Activation.QUICK_GELU ? "swish" : "gelu"), residual);
        }
        return forward(x).addi(residual);
    }

    NDArray forward(NDArray x) {
        NDArray h = fc1.forward(x);
        h = switch (act) {
            case QUICK_GELU -> h.muli(ai.djl.nn.Activation.sigmoid(h)); // z * sigmoid(z), see the class comment
            case GELU -> ai.djl.nn.Activation.gelu(h);
        };
        return fc2.forward(h);
    }
}
