package dev.sdcond.models.clip;

import dev.sdcond.models.config.CLIPTextConfig;

/** The checks a text tower's batch of token ids passes before any work. */
final class TextIds {
    private TextIds() {}

    /**
     * Checks a batch against a text tower's config.
     *
     * @param config the tower's config
     * @param ids [B][T] token ids
     * @throws IllegalArgumentException for an empty batch, a length outside 1..max_position_embeddings, rows of
     *     unequal length, or an id outside the vocabulary
     * @return T, the rows' common length
     */
    static int check(CLIPTextConfig config, long[][] ids) {
        if (ids.length == 0) {
            throw new IllegalArgumentException("empty batch of token ids");
        }
        int t = ids[0].length;
        if (t < 1 || t > config.maxPositionEmbeddings()) {
            throw new IllegalArgumentException("sequence length " + t + " is outside 1.."
                    + config.maxPositionEmbeddings());
        }
        for (int b = 0; b < ids.length; b++) {
            if (ids[b].length != t) {
                throw new IllegalArgumentException("row " + b + " has " + ids[b].length + " ids, row 0 has " + t);
            }
            for (int i = 0; i < t; i++) {
                if (ids[b][i] < 0 || ids[b][i] >= config.vocabSize()) {
                    throw new IllegalArgumentException("token id " + ids[b][i] + " at row " + b + ", position " + i
                            + " is outside the vocabulary of " + config.vocabSize());
                }
            }
        }
        return t;
    }

    /**
     * Puts embedding vectors in place of token embeddings (textual inversion): {@code vectors[b][t]}, where not null,
     * replaces position t of sequence b.
     *
     * @param sub where the temporary arrays live
     * @param tok [B, T, W] token embeddings, changed in place
     * @param vectors per sequence and position, a vector or null
     * @param w the tower's width
     */
    static void replaceVectors(ai.djl.ndarray.NDManager sub, ai.djl.ndarray.NDArray tok, float[][][] vectors, int w) {
        for (int b = 0; b < vectors.length; b++) {
            for (int t = 0; vectors[b] != null && t < vectors[b].length; t++) {
                float[] v = vectors[b][t];
                if (v == null) {
                    continue;
                }
                if (v.length != w) {
                    throw new IllegalArgumentException("a vector of width " + v.length + " for a tower of width " + w);
                }
                try (ai.djl.ndarray.NDArray a = sub.create(v).toType(tok.getDataType(), false)) {
                    tok.set(new ai.djl.ndarray.index.NDIndex("{}, {}", b, t), a);
                }
            }
        }
    }
}
