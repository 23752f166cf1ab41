package dev.sdcond.conditioning;

import dev.sdcond.conditioning.prompt.ComfySyntax;
import dev.sdcond.conditioning.prompt.PromptSegment;
import dev.sdcond.conditioning.prompt.PromptStyle;
import dev.sdcond.conditioning.tokenizer.T5Tokenizer;
import dev.sdcond.models.InvalidInputException;
import java.util.Arrays;
import java.util.List;

/**
 * The T5 ids of a group of prompts (the positives, or the negatives), as each tool makes them, and their per-token
 * weights.
 * <ul>
 *   <li>diffusers (every style but ComfyUI's): the prompt as written, padded with 0 or cut to the sequence length,
 *       {@code </s>} kept last; no weights.</li>
 *   <li>ComfyUI: each weighted segment tokenized on its own without its {@code </s>}, one {@code </s>} at the end,
 *       never cut, padded with 0 up to a minimum length (256 Flux, 77 SD3); tokens keep their segment's weight, applied
 *       as {@code (z - z_empty) * w + z_empty} with {@code z_empty} the encoding of {@code [</s>, 0, 0, ...]} of the
 *       same length.</li>
 * </ul>
 *
 * @param ids [rows][length]
 * @param weights [rows][length], or null when every weight is 1
 */
record T5Rows(long[][] ids, float[][] weights) {

    /**
     * The rows of texts.
     *
     * @param tokenizer the T5 tokenizer
     * @param texts the prompts
     * @param style the prompt style
     * @param length diffusers' sequence length
     * @param comfyMinimum ComfyUI's minimum length
     * @return the rows, all of one length
     * @throws InvalidInputException when ComfyUI's lengths differ within the group (they cannot share one tensor)
     */
    static T5Rows of(T5Tokenizer tokenizer, List<String> texts, PromptStyle style, int length, int comfyMinimum) {
        long[][] ids = new long[texts.size()][];
        if (style != PromptStyle.COMFY) {
            for (int i = 0; i < ids.length; i++) {
                ids[i] = tokenizer.ids(texts.get(i), length);
            }
            return new T5Rows(ids, null);
        }
        float[][] weights = new float[texts.size()][];
        boolean weighted = false;
        for (int i = 0; i < ids.length; i++) {
            long[] all = new long[0];
            float[] w = new float[0];
            for (PromptSegment s : ComfySyntax.parse(texts.get(i)).segments()) {
                if (s.isBreak() || s.text().isEmpty()) {
                    continue;
                }
                long[] seg = tokenizer.ids(s.text());
                int n = seg.length - 1; // without the </s> the tokenizer appends
                all = Arrays.copyOf(all, all.length + n);
                System.arraycopy(seg, 0, all, all.length - n, n);
                w = Arrays.copyOf(w, w.length + n);
                Arrays.fill(w, w.length - n, w.length, (float) s.weight());
                weighted |= n > 0 && s.weight() != 1.0;
            }
            int len = Math.max(comfyMinimum, all.length + 1);
            ids[i] = Arrays.copyOf(all, len); // 0 = <pad> after the content
            ids[i][all.length] = T5Tokenizer.EOS;
            weights[i] = Arrays.copyOf(w, len);
            Arrays.fill(weights[i], w.length, len, 1f);
            if (ids[i].length != ids[0].length) {
                throw new InvalidInputException("ComfyUI encodes T5 at each prompt's own length (at least "
                        + comfyMinimum + " tokens, never cut), and prompt " + (i + 1) + " takes " + ids[i].length
                        + " tokens where prompt 1 takes " + ids[0].length + ": they cannot share one tensor; encode"
                        + " them in separate calls");
            }
        }
        return new T5Rows(ids, weighted ? weights : null);
    }

    /**
     * ComfyUI's empty row of this length: {@code </s>} then padding.
     *
     * @return the ids
     */
    long[] emptyRow() {
        long[] e = new long[ids[0].length];
        e[0] = T5Tokenizer.EOS;
        return e;
    }
}
