package dev.sdcond.conditioning.prompt;

import dev.sdcond.models.InvalidInputException;
import java.util.Locale;
import java.util.Objects;

/**
 * How many 75-token chunks a prompt may take, and what happens to a longer one. The default refuses a prompt of over
 * {@value #DEFAULT_CHUNKS} chunks (about 4,800 tokens; the tools take any length, but a megabyte of {@code BREAK}s
 * would cost gigabytes); a user raises or lifts it ({@link #NONE}) or cuts prompts instead ({@link #cutAt(int)}).
 *
 * @param chunks the limit; 0 for none
 * @param overflow what a longer prompt gets
 */
public record ChunkLimit(int chunks, Overflow overflow) {

    /** The default limit, in chunks. */
    public static final int DEFAULT_CHUNKS = 64;

    /** Longer prompts are refused: an {@link InvalidInputException} naming the prompt's length. */
    public static final ChunkLimit DEFAULT = new ChunkLimit(DEFAULT_CHUNKS, Overflow.REFUSE);

    /** Every prompt is encoded whole, as the tools do. */
    public static final ChunkLimit NONE = new ChunkLimit(0, Overflow.CUT);

    /** What a prompt over the limit gets. */
    public enum Overflow {
        /** it is refused */
        REFUSE,
        /** its chunks past the limit are dropped, with a warning */
        CUT
    }

    /**
     * Checks the limit.
     *
     * @param chunks the limit; 0 for none
     * @param overflow what a longer prompt gets
     * @throws InvalidInputException for a negative limit
     */
    public ChunkLimit {
        Objects.requireNonNull(overflow, "overflow");
        if (chunks < 0) {
            throw new InvalidInputException("the chunk limit must be 0 (none) or more, is " + chunks);
        }
    }

    /**
     * Prompts cut after {@code k} chunks (1: the classic 77-token truncation); 0 for no limit.
     *
     * @param k the limit
     * @return the limit
     */
    public static ChunkLimit cutAt(int k) {
        return k == 0 ? NONE : new ChunkLimit(k, Overflow.CUT);
    }

    /**
     * Prompts over {@code k} chunks refused; 0 for no limit.
     *
     * @param k the limit
     * @return the limit
     */
    public static ChunkLimit refuseAbove(int k) {
        return k == 0 ? NONE : new ChunkLimit(k, Overflow.REFUSE);
    }

    /**
     * The chunks a cut keeps; 0 when nothing is ever cut (no limit, or longer prompts refused). Output metadata's
     * {@code max_chunks}.
     *
     * @return the cut, or 0
     */
    public int cut() {
        return overflow == Overflow.CUT ? chunks : 0;
    }

    /**
     * As words: {@code none}, {@code cut:K} or {@code refuse:K}.
     *
     * @return the words
     */
    public String words() {
        return chunks == 0 ? "none" : overflow.name().toLowerCase(Locale.ROOT) + ":" + chunks;
    }

    /**
     * Reads {@link #words()}.
     *
     * @param words the words
     * @return the limit
     */
    public static ChunkLimit parse(String words) {
        if (words.equals("none")) {
            return NONE;
        }
        String[] w = words.split(":", 2);
        return new ChunkLimit(Integer.parseInt(w[1]), Overflow.valueOf(w[0].toUpperCase(Locale.ROOT)));
    }

    /**
     * Applies the limit to a tokenized prompt.
     *
     * @param all every chunk of the prompt
     * @return the prompt, cut if the limit cuts
     * @throws InvalidInputException for a prompt over a refusing limit
     */
    TokenizedPrompt apply(TokenizedPrompt all) {
        int n = all.chunks().size();
        if (chunks == 0 || n <= chunks) {
            return all;
        }
        if (overflow == Overflow.REFUSE) {
            throw new InvalidInputException(String.format(Locale.ROOT, "the prompt makes %,d chunks (%,d tokens; a"
                    + " chunk holds up to 75, BREAK starts one), over the limit of %d; raise the limit (--max-chunks 0 encodes any length) or cut"
                    + " it (--max-chunks K keeps K chunks)", n, all.tokenCount(), chunks));
        }
        var kept = all.chunks().subList(0, chunks);
        int keptCount = kept.stream().mapToInt(c -> c.tokens().length).sum();
        return new TokenizedPrompt(kept, keptCount, all.tokenCount() - keptCount, all.warnings());
    }
}
