package dev.sdcond.conditioning;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import dev.sdcond.conditioning.prompt.Chunk;
import dev.sdcond.conditioning.prompt.ParsedPrompt;
import dev.sdcond.conditioning.prompt.PromptStyle;
import dev.sdcond.conditioning.prompt.TokenizedPrompt;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * The row layout of one encoding call: every prompt (positives, then negatives) padded with empty chunks to the same
 * number of chunks {@code k}, so that prompt {@code i}'s chunk {@code c} is row {@code i * k + c}; ComfyUI's empty
 * prompt in one extra last row when its weighting needs it; the pooled vector from each prompt's first chunk (rows
 * {@code 0, k, 2k, ...}); and which prompts' outputs are zeroed (empty negatives, when asked). One plan per call: it
 * also gathers the per-prompt warnings that the encoders add.
 */
final class ConditioningPlan {
    private final List<TokenizedPrompt> prompts;
    private final int positives;
    private final int k;
    private final List<Chunk> rows;
    private final PromptWeighting weighting;
    private final boolean emptyRow;
    private final List<Integer> zeroed;
    private final List<Set<String>> notes;

    private ConditioningPlan(List<TokenizedPrompt> prompts, int positives, PromptStyle style, List<Integer> zeroed) {
        this.prompts = prompts;
        this.positives = positives;
        this.k = prompts.stream().mapToInt(t -> t.chunks().size()).max().orElse(1);
        List<Chunk> r = new ArrayList<>();
        for (TokenizedPrompt t : prompts) {
            r.addAll(t.chunks());
            r.addAll(Collections.nCopies(k - t.chunks().size(), Chunk.EMPTY));
        }
        boolean weighted = style != PromptStyle.PLAIN && r.stream().anyMatch(Chunk::isWeighted);
        this.weighting = weighted ? PromptWeighting.of(style) : PromptWeighting.NONE;
        this.emptyRow = weighting == PromptWeighting.COMFY;
        if (emptyRow) {
            r.add(Chunk.EMPTY);
        }
        this.rows = List.copyOf(r);
        this.zeroed = List.copyOf(zeroed);
        this.notes = new ArrayList<>();
        for (int i = 0; i < prompts.size(); i++) {
            notes.add(new LinkedHashSet<>());
        }
    }

    /**
     * The plan of a call.
     *
     * @param positives the tokenized prompts
     * @param negatives the tokenized negative prompts (one per prompt), or null for none
     * @param emptyNegatives per negative prompt, whether it was empty or absent
     * @param style the prompt style, for the weighting
     * @param zeroEmptyNegatives whether empty negatives give all-zero outputs
     */
    static ConditioningPlan of(List<TokenizedPrompt> positives, List<TokenizedPrompt> negatives,
            boolean[] emptyNegatives, PromptStyle style, boolean zeroEmptyNegatives) {
        List<TokenizedPrompt> all = new ArrayList<>(positives);
        List<Integer> zeroed = new ArrayList<>();
        if (negatives != null) {
            all.addAll(negatives);
            for (int i = 0; zeroEmptyNegatives && i < negatives.size(); i++) {
                if (emptyNegatives[i]) {
                    zeroed.add(positives.size() + i);
                }
            }
        }
        return new ConditioningPlan(all, positives.size(), style, zeroed);
    }

    /** The rows every encoder takes, in order. */
    List<Chunk> rows() {
        return rows;
    }

    /** The chunks per prompt. */
    int chunksPerPrompt() {
        return k;
    }

    /** The negative prompts (0 without). */
    int positives() {
        return positives;
    }

    /** The negatives' count. */
    int negatives() {
        return prompts.size() - positives;
    }

    /** The prompts (positives and negatives). */
    int promptCount() {
        return prompts.size();
    }

    /** The prompt a row belongs to, or -1 for the empty row. */
    int promptOf(int row) {
        return row < prompts.size() * k ? row / k : -1;
    }

    /** Whether the last row is ComfyUI's empty prompt (weighted prompts under ComfyUI's weighting). */
    boolean needsEmptyRow() {
        return emptyRow;
    }

    /** How the hidden states are weighted. */
    PromptWeighting weighting() {
        return weighting;
    }

    /** Records a note for a prompt's warnings (an encoder that could not take an embedding). */
    void note(int prompt, String message) {
        if (prompt >= 0) {
            notes.get(prompt).add(message);
        }
    }

    /** The prompts' rows of one encoder's hidden states [rows, 77, D] as [prompts, 77 * k, D]. */
    NDArray perPrompt(NDArray z) {
        int n = prompts.size();
        return z.get(new NDIndex("0:{}", n * k)).reshape(n, k * 77L, z.getShape().get(2));
    }

    /** The pooled vectors [rows, P] of each prompt's first chunk: [prompts, P]. */
    NDArray firstChunks(NDArray pooled) {
        return pooled.get(new NDIndex("0:{}:{}", prompts.size() * k, k));
    }

    /** Zeroes the planned prompts' outputs in place (either may be null). */
    void zero(NDArray hidden, NDArray pooled) {
        zero(hidden, hidden, pooled);
    }

    /**
     * Zeroes the planned prompts' outputs in place, the positives' and negatives' hidden states being separate arrays
     * (Flux's and SD3's T5 tokens may differ in length between them); any may be null.
     */
    void zero(NDArray hiddenPositive, NDArray hiddenNegative, NDArray pooled) {
        for (int row : zeroed) {
            NDArray hidden = row < positives ? hiddenPositive : hiddenNegative;
            int r = hiddenPositive == hiddenNegative || row < positives ? row : row - positives;
            if (hidden != null) {
                hidden.set(new NDIndex("{}", r), 0f);
            }
            if (pooled != null) {
                pooled.set(new NDIndex("{}", row), 0f);
            }
        }
    }

    /**
     * The positive and negative results, attached to the caller's manager.
     *
     * @param hidden [prompts, 77 * k, D] or null
     * @param pooled [prompts, P] or null
     * @param padId the first encoder's padding id, for the ids returned
     * @param tokenizeNanos the time the prompts took to tokenize
     */
    TextConditioner.Result results(NDManager manager, NDArray hidden, NDArray pooled, long padId, long tokenizeNanos) {
        return results(manager, hidden, hidden == null ? null : hidden.get(new NDIndex("{}:", positives)), pooled,
                padId, tokenizeNanos);
    }

    /**
     * The positive and negative results, attached to the caller's manager.
     *
     * @param hiddenPositive [positives, T, D] or null
     * @param hiddenNegative [negatives, T', D] or null
     * @param pooled [prompts, P] or null
     * @param padId the first encoder's padding id, for the ids returned
     * @param tokenizeNanos the time the prompts took to tokenize
     */
    TextConditioner.Result results(NDManager manager, NDArray hiddenPositive, NDArray hiddenNegative, NDArray pooled,
            long padId, long tokenizeNanos) {
        TextConditioning pos = slice(manager, hiddenPositive, pooled, 0, positives, padId);
        TextConditioning neg = prompts.size() == positives ? null
                : slice(manager, hiddenNegative, pooled, positives, prompts.size(), padId);
        return new TextConditioner.Result(pos, neg, tokenizeNanos);
    }

    private TextConditioning slice(NDManager manager, NDArray hidden, NDArray pooled, int from, int to, long pad) {
        int b = to - from;
        long[][] ids = new long[b][];
        long[][] mask = new long[b][];
        int[] counts = new int[b];
        int[] dropped = new int[b];
        List<List<ParsedPrompt.Warning>> warnings = new ArrayList<>();
        for (int i = 0; i < b; i++) {
            TokenizedPrompt t = prompts.get(from + i);
            ids[i] = new long[k * 77];
            mask[i] = new long[k * 77];
            for (int c = 0; c < k; c++) {
                Chunk chunk = rows.get((from + i) * k + c);
                System.arraycopy(chunk.ids77(pad), 0, ids[i], c * 77, 77);
                System.arraycopy(chunk.attentionMask77(), 0, mask[i], c * 77, 77);
            }
            counts[i] = t.tokenCount();
            dropped[i] = t.droppedTokens();
            List<ParsedPrompt.Warning> w = new ArrayList<>(t.warnings());
            notes.get(from + i).forEach(d -> w.add(new ParsedPrompt.Warning(-1, d)));
            warnings.add(notes.get(from + i).isEmpty() ? t.warnings() : w);
        }
        NDArray h = hidden == null ? null : hidden.get(manager, new NDIndex("0:{}", b));
        NDArray p = pooled == null ? null : pooled.get(manager, new NDIndex("{}:{}", from, to));
        return new TextConditioning(h, p, ids, mask, counts, dropped, warnings);
    }
}
