package dev.sdcond.models.clip;

import java.util.Arrays;
import java.util.EnumSet;
import java.util.Set;
import java.util.BitSet;

/**
 * Which outputs a forward pass computes. Hidden states are indexed as {@code hidden_states[i]} in transformers:
 * 0 is the embeddings, i the output of layer i, and negative indices count from the end (-1 is the last layer).
 * The pass stops after the deepest layer needed; the pooled outputs need every layer.
 *
 * @param hiddenStates the indices asked for (may be negative)
 * @param extras what else: every hidden state, the pooled vectors, {@code last_hidden_state} (only with the pooled
 *     vectors)
 */
public record OutputRequest(int[] hiddenStates, Set<OutputRequest.Extra> extras) {

    /** Outputs besides the hidden states asked for by index. */
    public enum Extra {
        /** every {@code hidden_states[i]} */
        ALL_HIDDEN_STATES,
        /** the final outputs: the pooled row and its projection */
        POOLED,
        /**
         * {@code last_hidden_state} with the pooled outputs. Without it, and when the last layer's hidden states are not
         * asked for either, a tower runs its last layer for the pooled rows alone (their queries and MLP; the keys and
         * values of every row): SDXL's and SD3's bigG, Flux's pooled CLIP-L, IP-Adapter's image encoder
         */
        LAST_HIDDEN_STATE
    }

    /**
     * Copies the indices and the extras; {@code last_hidden_state} is kept only with the pooled outputs.
     *
     * @param hiddenStates the indices asked for
     * @param extras what else
     */
    public OutputRequest {
        hiddenStates = hiddenStates.clone();
        EnumSet<Extra> e = extras.isEmpty() ? EnumSet.noneOf(Extra.class) : EnumSet.copyOf(extras);
        if (!e.contains(Extra.POOLED)) {
            e.remove(Extra.LAST_HIDDEN_STATE);
        }
        extras = java.util.Collections.unmodifiableSet(e);
    }

    private OutputRequest(int[] hiddenStates, Extra... extras) {
        this(hiddenStates, extras.length == 0 ? EnumSet.noneOf(Extra.class) : EnumSet.copyOf(Arrays.asList(extras)));
    }

    /**
     * Whether every hidden state is wanted.
     *
     * @return whether {@link Extra#ALL_HIDDEN_STATES} is asked for
     */
    public boolean allHiddenStates() {
        return extras.contains(Extra.ALL_HIDDEN_STATES);
    }

    /**
     * Whether the final outputs are computed.
     *
     * @return whether {@link Extra#POOLED} is asked for
     */
    public boolean pooled() {
        return extras.contains(Extra.POOLED);
    }

    /**
     * Whether {@code last_hidden_state} comes with the pooled outputs.
     *
     * @return whether {@link Extra#LAST_HIDDEN_STATE} is asked for
     */
    public boolean lastHiddenState() {
        return extras.contains(Extra.LAST_HIDDEN_STATE);
    }

    /**
     * Just the given hidden states.
     *
     * @param indices hidden_states indices (negative from the end)
     * @return the request
     */
    public static OutputRequest hiddenStates(int... indices) {
        return new OutputRequest(indices);
    }

    /**
     * Only the final outputs (last hidden state, pooled, projected).
     *
     * @return the request
     */
    public static OutputRequest pooledOnly() {
        return new OutputRequest(new int[0], Extra.POOLED, Extra.LAST_HIDDEN_STATE);
    }

    /**
     * Every hidden state and every final output.
     *
     * @return the request
     */
    public static OutputRequest everything() {
        return new OutputRequest(new int[0], Extra.ALL_HIDDEN_STATES, Extra.POOLED, Extra.LAST_HIDDEN_STATE);
    }

    /**
     * The same request with the final outputs too.
     *
     * @return this request with the final outputs too
     */
    public OutputRequest withPooled() {
        EnumSet<Extra> e = EnumSet.of(Extra.POOLED, Extra.LAST_HIDDEN_STATE);
        e.addAll(extras);
        return new OutputRequest(hiddenStates, e);
    }

    /**
     * The same request with the pooled row and its projection, without {@code last_hidden_state}: a tower whose last
     * layer's hidden states are not asked for then runs that layer for the pooled rows alone.
     *
     * @return this request with the pooled outputs but not {@code last_hidden_state}
     */
    public OutputRequest withPooledVectors() {
        EnumSet<Extra> e = EnumSet.of(Extra.POOLED);
        e.addAll(extras);
        e.remove(Extra.LAST_HIDDEN_STATE);
        return new OutputRequest(hiddenStates, e);
    }

    /**
     * The hidden states asked for.
     *
     * @return a copy of the indices
     */
    @Override
    public int[] hiddenStates() {
        return hiddenStates.clone();
    }

    /**
     * Maps an index (negative from the end) onto 0..numLayers.
     *
     * @throws IllegalArgumentException when out of range; never clamps
     * @param index a hidden_states index, negative from the end
     * @param numLayers the tower's layers
     * @return the index from 0 (the embeddings) to {@code numLayers}
     */
    public static int normalize(int index, int numLayers) {
        int n = index < 0 ? numLayers + 1 + index : index;
        if (n < 0 || n > numLayers) {
            throw new dev.sdcond.models.InvalidInputException("hidden state index " + index + " is out of range for a " + numLayers
                    + "-layer tower (valid: " + (-(numLayers + 1)) + ".." + numLayers + ")");
        }
        return n;
    }

    /** Checks every index against the tower's depth. */
    void validate(int numLayers) {
        for (int i : hiddenStates) {
            normalize(i, numLayers);
        }
    }

    /** The number of layers to run. */
    int depth(int numLayers) {
        if (pooled() || allHiddenStates()) {
            return numLayers;
        }
        int d = 0;
        for (int i : hiddenStates) {
            d = Math.max(d, normalize(i, numLayers));
        }
        return d;
    }

    /**
     * Whether the last layer is needed only at the pooled rows: the pooled outputs without {@code last_hidden_state},
     * and the last layer's hidden states not asked for.
     */
    boolean pooledRowsOnly(int numLayers) {
        return pooled() && !lastHiddenState() && numLayers >= 1 && !keeps(numLayers, numLayers);
    }

    /** Whether hidden_states[i] (already normalized) is wanted. */
    boolean keeps(int i, int numLayers) {
        if (allHiddenStates()) {
            return true;
        }
        for (int h : hiddenStates) {
            if (normalize(h, numLayers) == i) {
                return true;
            }
        }
        return false;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof OutputRequest r && Arrays.equals(hiddenStates, r.hiddenStates) && extras.equals(r.extras);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(hiddenStates) * 31 + extras.hashCode();
    }

    @Override
    public String toString() {
        return "OutputRequest[hiddenStates=" + Arrays.toString(hiddenStates) + ", extras=" + extras + "]";
    }
}
