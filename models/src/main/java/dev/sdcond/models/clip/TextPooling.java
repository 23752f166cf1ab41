package dev.sdcond.models.clip;

import dev.sdcond.models.config.CLIPTextConfig;

/**
 * Which position's hidden state a CLIP text tower pools: one named function per rule, as open_clip's
 * {@code text_global_pool} names them.
 */
public final class TextPooling {
    private TextPooling() {}

    /**
     * OpenAI CLIP, open_clip and transformers before its {@code eos_token_id} fix: the position of the highest id
     * (the vocabulary's last token, {@code <|endoftext|>}, is the highest id of every CLIP sequence).
     *
     * @param row one row of ids
     * @return the first position of the highest id
     */
    public static int argmax(long[] row) {
        int best = 0;
        for (int i = 1; i < row.length; i++) {
            if (row[i] > row[best]) {
                best = i;
            }
        }
        return best;
    }

    /**
     * transformers with a config's {@code eos_token_id}: the first position holding it (0 when none does).
     *
     * @param row one row of ids
     * @param eos the end-of-text id
     * @return the position
     */
    public static int firstEos(long[] row, long eos) {
        for (int i = 0; i < row.length; i++) {
            if (row[i] == eos) {
                return i;
            }
        }
        return 0;
    }

    /**
     * The rule a config says: {@link #argmax} for legacy configs ({@code eos_token_id} 2, as transformers reads it),
     * {@link #firstEos} otherwise.
     *
     * @param config the tower's config
     * @param row one row of ids
     * @return the position pooled
     */
    public static int position(CLIPTextConfig config, long[] row) {
        return config.legacyArgmaxPooling() ? argmax(row) : firstEos(row, config.eosTokenId());
    }

    /** The flat row (b * T + position) pooled for each sequence of a batch. */
    static long[] flatRows(CLIPTextConfig config, long[][] ids, int t) {
        long[] rows = new long[ids.length];
        for (int b = 0; b < ids.length; b++) {
            rows[b] = (long) b * t + position(config, ids[b]);
        }
        return rows;
    }
}
