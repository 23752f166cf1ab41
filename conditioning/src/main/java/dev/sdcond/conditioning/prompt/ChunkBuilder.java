package dev.sdcond.conditioning.prompt;

import dev.sdcond.conditioning.tokenizer.ClipTokenizer;
import java.util.Arrays;

/** A chunk being filled: up to 75 tokens with their weights and embedding vectors. */
final class ChunkBuilder {
    private final long[] tokens = new long[ClipTokenizer.CHUNK_TOKENS];
    private final float[] weights = new float[ClipTokenizer.CHUNK_TOKENS];
    private final Chunk.VectorRef[] vectors = new Chunk.VectorRef[ClipTokenizer.CHUNK_TOKENS];
    private int size;

    int size() {
        return size;
    }

    void add(long token, float weight) {
        add(token, weight, null);
    }

    void add(long token, float weight, Chunk.VectorRef vector) {
        tokens[size] = token;
        weights[size] = weight;
        vectors[size] = vector;
        size++;
    }

    /** Removes tokens from {@code at} on and returns them as a new builder (embedding vectors move with them). */
    ChunkBuilder splitAt(int at) {
        ChunkBuilder rest = new ChunkBuilder();
        for (int i = at; i < size; i++) {
            rest.add(tokens[i], weights[i], vectors[i]);
        }
        size = at;
        return rest;
    }

    Chunk build() {
        return new Chunk(Arrays.copyOf(tokens, size), Arrays.copyOf(weights, size), Arrays.copyOf(vectors, size));
    }
}
