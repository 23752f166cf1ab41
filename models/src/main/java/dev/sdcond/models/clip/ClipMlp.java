package dev.sdcond.models.clip;

import ai.djl.ndarray.NDArray;
import dev.sdcond.models.config.Activation;
import dev.sdcond.models.weights.WeightReader;

/** {@code fc2(act(fc1(x)))}. For quick_gelu the 1.702 is a device-resident scalar, not a per-call constant. */
final class ClipMlp {
    private final Linear fc1; // [I, W]
    private final Linear fc2; // [W, I]
    private final Activation act;
    private final NDArray quickGeluScale; // scalar 1.702 in the compute dtype, on the tower's device

    private ClipMlp(Linear fc1, Linear fc2, Activation act, NDArray quickGeluScale) {
        this.fc1 = fc1;
        this.fc2 = fc2;
        this.act = act;
        this.quickGeluScale = quickGeluScale;
    }

    static ClipMlp load(WeightReader r, String name, int width, int intermediate, Activation act, NDArray quickGeluScale) {
        return new ClipMlp(Linear.load(r, name + ".fc1", intermediate, width),
                Linear.load(r, name + ".fc2", width, intermediate), act, quickGeluScale);
    }

    NDArray forward(NDArray x) {
        NDArray h = fc1.forward(x);
        h = switch (act) {
            case QUICK_GELU -> h.mul(ai.djl.nn.Activation.sigmoid(h.mul(quickGeluScale)));
            case GELU -> ai.djl.nn.Activation.gelu(h);
        };
        return fc2.forward(h);
    }
}
