package dev.sdcond.conditioning.prompt;

import dev.sdcond.conditioning.tokenizer.ClipTokenizer;
import java.util.Arrays;

/**
 * Up to 75 tokens of a prompt with their weights: one 77-token window of the text encoder once wrapped in BOS/EOS.
 *
 * @param tokens the text's token ids (no BOS/EOS), at most 75
 * @param weights one weight per token
 */
public record Chunk(long[] tokens, float[] weights) {
    public static final Chunk EMPTY = new Chunk(new long[0], new float[0]);

    public Chunk {
        if (tokens.length != weights.length || tokens.length > ClipTokenizer.CHUNK_TOKENS) {
            throw new IllegalArgumentException("a chunk holds up to 75 tokens with one weight each");
        }
        tokens = tokens.clone();
        weights = weights.clone();
    }

    @Override
    public long[] tokens() {
        return tokens.clone();
    }

    @Override
    public float[] weights() {
        return weights.clone();
    }

    /** BOS, tokens, EOS, then {@code padId} to 77. */
    public long[] ids77(long padId) {
        return ClipTokenizer.window(tokens, 0, padId);
    }

    /** Per position of {@link #ids77}: 1 for BOS, EOS and padding, the token weights in between. */
    public float[] weights77() {
        float[] w = new float[ClipTokenizer.CONTEXT_LENGTH];
        Arrays.fill(w, 1f);
        System.arraycopy(weights, 0, w, 1, weights.length);
        return w;
    }

    /** Per position of {@link #ids77}: 1 up to and including EOS, 0 for padding. */
    public long[] attentionMask77() {
        long[] m = new long[ClipTokenizer.CONTEXT_LENGTH];
        Arrays.fill(m, 0, tokens.length + 2, 1L);
        return m;
    }

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
        return o instanceof Chunk c && Arrays.equals(tokens, c.tokens) && Arrays.equals(weights, c.weights);
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
