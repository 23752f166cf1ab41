package dev.sdcond.models.clip;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import dev.sdcond.models.weights.WeightReader;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** The stack of layers ({@code encoder.layers.*}), run up to the deepest layer a caller needs. */
final class ClipEncoder {
    private final List<ClipEncoderLayer> layers;
    private final dev.sdcond.models.kernels.KernelReport kernels;

    private ClipEncoder(List<ClipEncoderLayer> layers, dev.sdcond.models.kernels.KernelReport kernels) {
        this.layers = List.copyOf(layers);
        this.kernels = kernels;
    }

    /**
     * Loads the layers. Weights packed for MKL take products of whole sequences only, so the last layer takes none
     * ({@link WeightReader#lastLayer}), to run for some rows alone ({@code lastRows} of {@link #forward}; a product of
     * one row is a vector product) at the cost of a slower whole last layer, asked for less often.
     */
    static ClipEncoder load(WeightReader r, String name, int numLayers, LayerSpec spec) {
        List<ClipEncoderLayer> layers = new ArrayList<>();
        for (int i = 0; i < numLayers; i++) {
            layers.add(ClipEncoderLayer.load(i == numLayers - 1 ? r.lastLayer() : r, name + ".layers." + i, spec));
        }
        return new ClipEncoder(layers, r.headerOnly() ? dev.sdcond.models.kernels.KernelReport.NONE
                : r.kernels().report());
    }

    /** What the layers run: each projection's kernel and the attention's ({@code KernelPlan#report}). */
    dev.sdcond.models.kernels.KernelReport kernels() {
        return kernels;
    }

    int numLayers() {
        return layers.size();
    }

    /**
     * Runs layers 1..depth over {@code embeddings} (hidden_states[0]). The residual stream is kept flat, [B*T, W], so
     * that every projection is one fused matrix product with its bias; only the returned and kept states are viewed
     * as [B, T, W]. A layer is one call into libtorch ({@link ClipEncoderLayer}), whose intermediates libtorch frees
     * as it goes, so memory stays at a few activations whatever the depth.
     *
     * @param embeddings [B, T, W]
     * @param mask whom each position attends to (causal for text towers)
     * @param kept receives hidden_states[i], [B, T, W], for each i that {@code request} keeps
     * @param lastRows null; or the flat rows (int64 [N], row b*T + t) of hidden_states[depth] that are wanted, when no
     *     other row of it is: the last layer then runs for those rows alone
     * @return hidden_states[depth], [B, T, W], or its rows {@code lastRows}, [N, W], in the manager of
     *     {@code embeddings} (as are the kept states)
     */
    NDArray forward(NDArray embeddings, AttentionMask mask, int depth, OutputRequest request, Map<Integer, NDArray> kept,
            NDArray lastRows) {
        Shape shape = embeddings.getShape(); // [B, T, W]
        int tokens = (int) shape.get(1);
        if (request.keeps(0, layers.size())) {
            kept.put(0, embeddings);
        }
        NDArray h = embeddings.reshape(shape.get(0) * tokens, shape.get(2));
        for (int i = 0; i < depth; i++) {
            if (lastRows != null && i == depth - 1) {
                NDArray rows = layers.get(i).forwardRows(h, tokens, mask, lastRows);
                h.close();
                return rows;
            }
            NDArray next = layers.get(i).forward(h, tokens, mask); // in the manager of embeddings
            h.close(); // a flat view: a kept state holds its own view of the same memory
            h = next;
            if (request.keeps(i + 1, layers.size())) {
                kept.put(i + 1, h.reshape(shape));
            }
        }
        return h.reshape(shape);
    }
}
