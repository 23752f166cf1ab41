package dev.sdcond.conditioning.prompt;

import dev.sdcond.conditioning.tokenizer.ClipTokenizer;
import java.util.Arrays;

/**
 * Up to 75 tokens of a prompt with their weights: one 77-token window of the text encoder once wrapped in BOS/EOS.
 *
 * @param tokens the text's token ids (no BOS/EOS), at most 75; 0 where an embedding's vector goes (as A1111)
 * @param weights one weight per token
 * @param vectors per token, the textual-inversion vector that replaces its embedding, or null
 */
public record Chunk(long[] tokens, float[] weights, VectorRef[] vectors) {
    /** A chunk without tokens (an empty prompt's, and the padding of shorter prompts). */
    public static final Chunk EMPTY = new Chunk(new long[0], new float[0]);

    /** Row {@code row} of an embedding stands at this position. */
    public record VectorRef(dev.sdcond.conditioning.embeddings.Embedding embedding, int row) {
        @Override
        public String toString() {
            return embedding.name() + "[" + row + "]";
        }
    }

    /**
     * A chunk without embedding vectors.
     *
     * @param tokens the token ids
     * @param weights one weight per token
     */
    public Chunk(long[] tokens, float[] weights) {
        this(tokens, weights, new VectorRef[tokens.length]);
    }

    /**
     * Copies the arrays.
     *
     * @param tokens the token ids
     * @param weights one weight per token
     * @param vectors per token, the vector that replaces its embedding, or null
     * @throws IllegalArgumentException for more than 75 tokens or arrays of different lengths
     */
    public Chunk {
        if (tokens.length != weights.length || tokens.length != vectors.length
                || tokens.length > ClipTokenizer.CHUNK_TOKENS) {
            throw new IllegalArgumentException("a chunk holds up to 75 tokens with one weight each");
        }
        tokens = tokens.clone();
        weights = weights.clone();
        vectors = vectors.clone();
    }

    /**
     * The embedding vectors per token.
     *
     * @return a copy: per token, the vector that replaces its embedding, or null
     */
    @Override
    public VectorRef[] vectors() {
        return vectors.clone();
    }

    /**
     * Whether an embedding's vector stands anywhere in this chunk.
     *
     * @return whether any token's embedding is replaced
     */
    public boolean hasVectors() {
        return Arrays.stream(vectors).anyMatch(java.util.Objects::nonNull);
    }

    /**
     * The token ids.
     *
     * @return a copy
     */
    @Override
    public long[] tokens() {
        return tokens.clone();
    }

    /**
     * The weights.
     *
     * @return a copy, one per token
     */
    @Override
    public float[] weights() {
        return weights.clone();
    }

    /**
     * BOS, tokens, EOS, then {@code padId} to 77.
     *
     * @param padId the padding id
     * @return the 77 ids
     */
    public long[] ids77(long padId) {
        return ClipTokenizer.window(tokens, 0, padId);
    }

    /**
     * Per position of {@link #ids77}: 1 for BOS, EOS and padding, the token weights in between.
     *
     * @return 77 weights (1 on BOS, EOS and padding)
     */
    public float[] weights77() {
        float[] w = new float[ClipTokenizer.CONTEXT_LENGTH];
        Arrays.fill(w, 1f);
        System.arraycopy(weights, 0, w, 1, weights.length);
        return w;
    }

    /**
     * Per position of {@link #ids77}: 1 up to and including EOS, 0 for padding.
     *
     * @return 77 mask values
     */
    public long[] attentionMask77() {
        long[] m = new long[ClipTokenizer.CONTEXT_LENGTH];
        Arrays.fill(m, 0, tokens.length + 2, 1L);
        return m;
    }

    /**
     * Whether any token's weight differs from 1.
     *
     * @return true when weighting changes something
     */
    public boolean isWeighted() {
        for (float w : weights) {
            if (w != 1f) {
                return true;
            }
        }
        return false;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Chunk c && Arrays.equals(tokens, c.tokens) && Arrays.equals(weights, c.weights)
                && Arrays.equals(vectors, c.vectors);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(tokens) * 31 + Arrays.hashCode(weights);
    }

    @Override
    public String toString() {
        return "Chunk" + Arrays.toString(tokens);
    }
}
