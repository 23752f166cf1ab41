package dev.sdcond.models.clip;

import ai.djl.ndarray.NDArray;
import java.util.Collections;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * What a tower's forward pass returns, attached to the caller's manager.
 *
 * <ul>
 *   <li>{@code hiddenState(i)}: hidden_states[i] as in transformers (0 = embeddings; text: no final layer norm;
 *       vision: after {@code pre_layrnorm}, no post norm), [B, T, W]</li>
 *   <li>{@code lastHiddenState()}: text: final_layer_norm(hidden_states[L]); vision: hidden_states[L] (a tower asked
 *       with {@link OutputRequest#withPooledVectors} leaves it out)</li>
 *   <li>{@code pooled()}: text: last_hidden_state at the pooling position (transformers' {@code pooler_output});
 *       vision: post_layernorm(last_hidden_state[:, 0]), [B, W]</li>
 *   <li>{@code projected()}: {@code text_embeds} / {@code image_embeds}, the pooled row through the projection, [B, P]</li>
 * </ul>
 */
public final class ClipOutput {
    private final int numLayers;
    private final SortedMap<Integer, NDArray> hiddenStates;
    private final NDArray lastHiddenState;
    private final NDArray pooled;
    private final NDArray projected;

    ClipOutput(int numLayers, Map<Integer, NDArray> hiddenStates, NDArray lastHiddenState, NDArray pooled,
            NDArray projected) {
        this.numLayers = numLayers;
        this.hiddenStates = Collections.unmodifiableSortedMap(new TreeMap<>(hiddenStates));
        this.lastHiddenState = lastHiddenState;
        this.pooled = pooled;
        this.projected = projected;
    }

    /** Moves the outputs (nulls allowed) from a forward pass's scratch manager to the caller's, and wraps them. */
    static ClipOutput attachedTo(ai.djl.ndarray.NDManager manager, int numLayers, Map<Integer, NDArray> hiddenStates,
            NDArray lastHiddenState, NDArray pooled, NDArray projected) {
        for (NDArray a : hiddenStates.values()) {
            a.attach(manager);
        }
        for (NDArray a : new NDArray[] {lastHiddenState, pooled, projected}) {
            if (a != null) {
                a.attach(manager);
            }
        }
        return new ClipOutput(numLayers, hiddenStates, lastHiddenState, pooled, projected);
    }

    /**
     * hidden_states[index], index negative from the end as in transformers.
     *
     * @param index a hidden_states index, negative from the end
     * @return the hidden state
     */
    public NDArray hiddenState(int index) {
        int i = OutputRequest.normalize(index, numLayers);
        NDArray a = hiddenStates.get(i);
        if (a == null) {
            throw new NoSuchElementException("hidden_states[" + index + "] was not requested (have " + hiddenStates.keySet() + ")");
        }
        return a;
    }

    /**
     * Every hidden state that was computed and kept, by non-negative index.
     *
     * @return the computed hidden states by index
     */
    public SortedMap<Integer, NDArray> hiddenStates() {
        return hiddenStates;
    }

    /**
     * The last layer's output after the final norm.
     *
     * @return {@code last_hidden_state} [B, T, W]
     * @throws java.util.NoSuchElementException when it was not asked for ({@link OutputRequest#withPooledVectors})
     */
    public NDArray lastHiddenState() {
        return require(lastHiddenState, "last_hidden_state");
    }

    /**
     * The pooled row, unprojected.
     *
     * @return {@code pooler_output} [B, W]
     */
    public NDArray pooled() {
        return require(pooled, "pooled output");
    }

    /**
     * The projected embeddings; absent when the checkpoint has no projection.
     *
     * @return the projected pooled row
     */
    public NDArray projected() {
        return require(projected, "projected embeddings (text_embeds / image_embeds)");
    }

    /**
     * Whether a projection was computed.
     *
     * @return true when the tower has a projection and the final outputs were asked for
     */
    public boolean hasProjected() {
        return projected != null;
    }

    /**
     * The number of layers of the tower that produced this.
     *
     * @return the tower's depth
     */
    public int numLayers() {
        return numLayers;
    }

    private static NDArray require(NDArray a, String what) {
        if (a == null) {
            throw new NoSuchElementException(what + " was not requested or is not available");
        }
        return a;
    }
}
