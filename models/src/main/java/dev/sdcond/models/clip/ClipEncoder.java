package dev.sdcond.models.clip;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
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
     * Runs layers 1..depth over {@code embeddings} (hidden_states[0]). Each layer's intermediates live in a scope
     * closed after the layer, so memory stays at a few activations whatever the depth.
     *
     * @param kept receives hidden_states[i] for each i that {@code request} keeps
     * @return hidden_states[depth], in the manager of {@code embeddings}
     */
    NDArray forward(NDArray embeddings, NDArray mask, int depth, OutputRequest request, Map<Integer, NDArray> kept) {
        NDManager home = embeddings.getManager();
        NDArray h = embeddings;
        if (request.keeps(0, layers.size())) {
            kept.put(0, h);
        }
        for (int i = 0; i < depth; i++) {
            NDArray next;
            try (NDManager scope = home.newSubManager()) {
                h.tempAttach(scope);
                next = layers.get(i).forward(h, mask);
                next.attach(home);
            }
            if (!kept.containsKey(i)) {
                h.close();
            }
            h = next;
            if (request.keeps(i + 1, layers.size())) {
                kept.put(i + 1, h);
            }
        }
        return h;
    }
}
