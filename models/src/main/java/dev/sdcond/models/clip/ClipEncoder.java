package dev.sdcond.models.clip;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.sdcond.models.config.Activation;
import dev.sdcond.models.weights.WeightReader;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** The stack of layers ({@code encoder.layers.*}), run up to the deepest layer a caller needs. */
final class ClipEncoder {
    private final List<ClipEncoderLayer> layers;

    private ClipEncoder(List<ClipEncoderLayer> layers) {
        this.layers = List.copyOf(layers);
    }

    static ClipEncoder load(WeightReader r, String name, int numLayers, int width, int heads, int intermediate,
            double eps, Activation act) {
        List<ClipEncoderLayer> layers = new ArrayList<>();
        for (int i = 0; i < numLayers; i++) {
            layers.add(ClipEncoderLayer.load(r, name + ".layers." + i, width, heads, intermediate, eps, act));
        }
        return new ClipEncoder(layers);
    }

    int numLayers() {
        return layers.size();
    }

    /**
     * Runs layers 1..depth over {@code embeddings} (hidden_states[0]). The residual stream is kept flat, [B*T, W], so
     * that every projection is one fused matrix product with its bias; only the returned and kept states are viewed
     * as [B, T, W]. Each layer's intermediates live in a scope closed after the layer, so memory stays at a few
     * activations whatever the depth.
     *
     * @param embeddings [B, T, W]
     * @param mask the additive [T, T] causal mask, or null (see {@link ScaledDotProductAttention#attend})
     * @param kept receives hidden_states[i], [B, T, W], for each i that {@code request} keeps
     * @return hidden_states[depth], [B, T, W], in the manager of {@code embeddings}
     */
    NDArray forward(NDArray embeddings, NDArray mask, int depth, OutputRequest request, Map<Integer, NDArray> kept) {
        NDManager home = embeddings.getManager();
        Shape shape = embeddings.getShape(); // [B, T, W]
        int tokens = (int) shape.get(1);
        if (request.keeps(0, layers.size())) {
            kept.put(0, embeddings);
        }
        NDArray h = embeddings.reshape(shape.get(0) * tokens, shape.get(2));
        for (int i = 0; i < depth; i++) {
            NDArray next;
            try (NDManager scope = home.newSubManager()) {
                h.tempAttach(scope);
                next = layers.get(i).forward(h, tokens, mask);
                next.attach(home);
            }
            h.close(); // a flat view: a kept state holds its own view of the same memory
            h = next;
            if (request.keeps(i + 1, layers.size())) {
                kept.put(i + 1, h.reshape(shape));
            }
        }
        return h.reshape(shape);
    }
}
