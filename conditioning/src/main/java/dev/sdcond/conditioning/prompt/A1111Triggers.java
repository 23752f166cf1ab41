package dev.sdcond.conditioning.prompt;

import dev.sdcond.conditioning.embeddings.Embedding;
import dev.sdcond.conditioning.embeddings.EmbeddingStore;
import dev.sdcond.conditioning.tokenizer.ClipTokenizer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A1111's embedding database as tokenize_line consults it: each embedding is known by the token ids of its name
 * (file stem), and one is found wherever those ids occur in a weighted segment's tokens (so anywhere in the text,
 * case-insensitively, since the tokenizer lowercases), the longest name first. Only embeddings of the model's width
 * are in the database: on SD1.x/SD2.x a single-encoder file of the encoder's width, on SDXL a dual file whose
 * {@code clip_l} + {@code clip_g} widths are the two encoders'; the others stay text, as in A1111, and a prompt that
 * names one gets a warning saying so (A1111 lists them as skipped in its console). A file A1111's loader refuses (more
 * than one tensor) stays text too, with a warning naming it.
 */
public final class A1111Triggers {
    /**
     * An embedding found at a position, and how many text tokens its name took; or the name of one the model cannot
     * take, and why (then the name stays text).
     *
     * @param embedding the embedding, or null when skipped
     * @param tokens the name's tokens
     * @param skipped why an embedding of this name is not used, or null
     */
    public record Match(Embedding embedding, int tokens, String skipped) {}

    /**
     * A name's ids and its embedding; a pickle file's name has none (A1111 would read it; we refuse); an embedding for
     * another model has the reason it is skipped.
     */
    private record Candidate(long[] ids, Embedding embedding, String pickle, String skipped) {}

    private final EmbeddingStore store;
    private final Map<Long, List<Candidate>> byFirstId;

    private A1111Triggers(EmbeddingStore store, Map<Long, List<Candidate>> byFirstId) {
        this.store = store;
        this.byFirstId = byFirstId;
    }

    /**
     * The embeddings of {@code store} that A1111 would load for a model with these encoder widths.
     *
     * @param widths the text encoders' widths, in order (SDXL: CLIP-L, bigG), or null to take every embedding (when
     *     no model is known, e.g. to show a prompt's tokens)
     * @param store the embeddings
     * @param tokenizer the model's tokenizer
     * @return the lookup
     */
    public static A1111Triggers of(EmbeddingStore store, ClipTokenizer tokenizer, int[] widths) {
        Map<Long, List<Candidate>> byFirstId = new HashMap<>();
        for (Embedding e : new java.util.LinkedHashSet<>(store.all().values())) {
            boolean fits = e.a1111() && (widths == null || (widths.length == 1 ? !e.dual() && e.width() == widths[0]
                    : e.dual() && e.forPart("clip_l") != null && e.forPart("clip_g") != null
                            && e.forPart("clip_l")[0].length == widths[0]
                            && e.forPart("clip_g")[0].length == widths[1]));
            long[] ids = tokenizer.tokenize(e.name());
            if (ids.length > 0) {
                byFirstId.computeIfAbsent(ids[0], k -> new ArrayList<>()).add(new Candidate(ids, fits ? e : null, null,
                        fits ? null : e.a1111() ? skipped(e, widths) : e.a1111Refusal()));
            }
        }
        for (String pickle : store.unusableNames()) {
            long[] ids = tokenizer.tokenize(pickle);
            if (ids.length > 0) {
                byFirstId.computeIfAbsent(ids[0], k -> new ArrayList<>()).add(new Candidate(ids, null, pickle, null));
            }
        }
        byFirstId.values().forEach(l -> l.sort(Comparator.comparingInt((Candidate c) -> c.ids().length).reversed()
                .thenComparing(c -> c.skipped() != null))); // a usable one before a skipped one of the same name
        return new A1111Triggers(store, byFirstId);
    }

    private static String skipped(Embedding e, int[] widths) {
        String has = e.dual() ? "an SDXL embedding (clip_l + clip_g)" : "a single-encoder embedding of width " + e.width();
        String model = widths.length == 1 ? "this model's width is " + widths[0]
                : "this model takes SDXL's clip_l + clip_g of widths " + widths[0] + " + " + widths[1];
        return "'" + e.name() + "' is " + has + " (" + e.file().getFileName() + "); " + model + ", so the name is encoded as text"
                + " (A1111 skips it too)";
    }

    /**
     * The embedding whose name's ids start at {@code position} of {@code tokens}, or null.
     *
     * @param tokens the prompt's ids
     * @param position where to look
     * @return the embedding that starts there, if any
     */
    public Match at(long[] tokens, int position) {
        List<Candidate> candidates = byFirstId.get(tokens[position]);
        if (candidates == null) {
            return null;
        }
        for (Candidate c : candidates) {
            int end = position + c.ids().length;
            if (end <= tokens.length && Arrays.equals(tokens, position, end, c.ids(), 0, c.ids().length)) {
                if (c.pickle() != null) {
                    store.find(c.pickle()); // throws: a file that cannot be used
                }
                return new Match(c.embedding(), c.ids().length, c.skipped());
            }
        }
        return null;
    }
}
