package dev.sdcond.conditioning.prompt;

import dev.sdcond.conditioning.embeddings.EmbeddingStore;
import dev.sdcond.conditioning.tokenizer.ClipTokenizer;
import java.util.ArrayList;
import java.util.List;

/**
 * Turns prompt text into chunks of at most 75 weighted tokens, the way the chosen tool does.
 *
 * @param tokenizer the CLIP tokenizer
 * @param style whose syntax and chunking to follow
 * @param strict whether syntax problems the tools tolerate (unclosed brackets, stray closers) are errors
 * @param commaBacktrack A1111's "comma padding backtrack": when a chunk is full and a comma is among its last this
 *     many tokens, the text after the comma moves to the next chunk (A1111's default 20; 0 turns it off)
 * @param embeddings textual-inversion embeddings: A1111 triggers on their names' tokens ({@link A1111Triggers}),
 *     ComfyUI on {@code embedding:NAME} words
 */
public record PromptTokenizer(ClipTokenizer tokenizer, PromptStyle style, boolean strict, int commaBacktrack,
        Triggers embeddings) {
    /** The embeddings a prompt may name, with the rule A1111 uses to choose them. */
    public record Triggers(EmbeddingStore store, A1111Triggers a1111) {
        /** No embeddings. */
        public static final Triggers NONE = new Triggers(EmbeddingStore.NONE, null);
    }

    /**
     * A tokenizer without embeddings.
     *
     * @param tokenizer the CLIP tokenizer
     * @param style the prompt style
     * @param strict whether syntax problems are errors
     * @param commaBacktrack A1111's comma backtrack (0 = off)
     */
    public PromptTokenizer(ClipTokenizer tokenizer, PromptStyle style, boolean strict, int commaBacktrack) {
        this(tokenizer, style, strict, commaBacktrack, Triggers.NONE);
    }
    /** The id of {@code ,</w>} in the CLIP vocabulary. */
    public static final long COMMA = 267;
    /** ComfyUI keeps a word (or an embedding's vectors) shorter than this many tokens in one chunk. */
    public static final int COMFY_MAX_WORD_LENGTH = 8;
    /** How ComfyUI names an embedding in a prompt. */
    public static final String COMFY_EMBEDDING = "embedding:";
    /**
     * A tolerant tokenizer with A1111's comma backtrack of 20 and no embeddings.
     *
     * @param tokenizer the CLIP tokenizer
     * @param style the prompt style
     */
    public PromptTokenizer(ClipTokenizer tokenizer, PromptStyle style) {
        this(tokenizer, style, false, 20);
    }

    /**
     * Parses the prompt's weighting syntax (none for {@link PromptStyle#PLAIN}).
     *
     * @param prompt the prompt
     * @return its segments and weights
     */
    public ParsedPrompt parse(String prompt) {
        return parse(style, strict, prompt);
    }

    /**
     * Parses a prompt's weighting syntax, without a tokenizer: what can be checked before any model is loaded.
     *
     * @throws PromptSyntaxException for what the style refuses, or with {@code strict} for what it tolerates
     * @param style the prompt style
     * @param strict whether syntax problems are errors
     * @param prompt the prompt
     * @return its segments and weights
     */
    public static ParsedPrompt parse(PromptStyle style, boolean strict, String prompt) {
        ParsedPrompt p = switch (style) {
            case A1111 -> A1111Syntax.parse(prompt);
            case COMFY -> ComfySyntax.parse(prompt);
            case PLAIN -> new ParsedPrompt(List.of(PromptSegment.text(prompt, 1.0)), List.of());
        };
        requireFiniteWeights(p);
        return strict ? p.strict(prompt) : p;
    }

    /**
     * Refuses a weight beyond float32's range (e.g. {@code (cat:1e400)}, or {@code (} nested a thousand times): the
     * tools multiply the hidden states by it in float32, which gives Inf and NaN conditioning (their defect).
     */
    private static void requireFiniteWeights(ParsedPrompt p) {
        for (PromptSegment s : p.segments()) {
            if (!s.isBreak() && !Float.isFinite((float) s.weight())) {
                String t = s.text().strip();
                t = t.length() <= 30 ? t : t.substring(0, 27) + "...";
                throw new dev.sdcond.models.InvalidInputException("the prompt weight " + s.weight() + " (on \"" + t
                        + "\") is beyond float32's range: the conditioning would be Inf or NaN; lower the weight or"
                        + " the nesting of brackets");
            }
        }
    }

    /**
     * All chunks of a prompt.
     *
     * @param prompt the prompt
     * @return its chunks
     */
    public TokenizedPrompt tokenize(String prompt) {
        ParsedPrompt parsed = parse(prompt);
        List<ParsedPrompt.Warning> warnings = new ArrayList<>(parsed.warnings());
        List<Chunk> chunks = style == PromptStyle.COMFY ? ComfyChunks.of(parsed, tokenizer, embeddings, warnings) : a1111Chunks(parsed, warnings);
        int count = chunks.stream().mapToInt(c -> c.tokens().length).sum();
        return new TokenizedPrompt(chunks, count, 0, warnings);
    }

    /**
     * The prompt's chunks under a limit; what a cut drops is counted in {@code droppedTokens}.
     *
     * @param prompt the prompt
     * @param limit the chunk limit
     * @return its chunks
     * @throws dev.sdcond.models.InvalidInputException for a prompt over a limit that refuses
     */
    public TokenizedPrompt tokenize(String prompt, ChunkLimit limit) {
        return limit.apply(tokenize(prompt));
    }

    /**
     * A1111's tokenize_line; PLAIN uses it with one unweighted segment and no embeddings. An embedding found at a
     * position takes its n vectors' places (placeholder id 0), moving to the next chunk whole when it does not fit;
     * the comma backtrack moves its vectors with their places (A1111 leaves them behind, a defect).
     */
    private List<Chunk> a1111Chunks(ParsedPrompt parsed, List<ParsedPrompt.Warning> warnings) {
        int backtrack = style == PromptStyle.A1111 ? commaBacktrack : 0;
        List<Chunk> chunks = new ArrayList<>();
        ChunkBuilder chunk = new ChunkBuilder();
        int lastComma = -1;
        for (PromptSegment seg : parsed.segments()) {
            if (seg.isBreak()) {
                chunks.add(chunk.build());
                chunk = new ChunkBuilder();
                lastComma = -1;
                continue;
            }
            float w = (float) seg.weight();
            long[] tokens = tokenizer.tokenize(seg.text());
            for (int position = 0; position < tokens.length; ) {
                long token = tokens[position];
                if (token == COMMA) {
                    lastComma = chunk.size();
                } else if (backtrack != 0 && chunk.size() == ClipTokenizer.CHUNK_TOKENS && lastComma != -1
                        && chunk.size() - lastComma <= backtrack) {
                    ChunkBuilder moved = chunk.splitAt(lastComma + 1);
                    chunks.add(chunk.build());
                    chunk = moved;
                    lastComma = -1;
                }
                if (chunk.size() == ClipTokenizer.CHUNK_TOKENS) {
                    chunks.add(chunk.build());
                    chunk = new ChunkBuilder();
                    lastComma = -1;
                }
                A1111Triggers.Match match = style == PromptStyle.A1111 && embeddings.a1111() != null
                        ? embeddings.a1111().at(tokens, position) : null;
                if (match != null && match.skipped() != null) {
                    ParsedPrompt.Warning skipped = new ParsedPrompt.Warning(-1, match.skipped());
                    if (!warnings.contains(skipped)) {
                        warnings.add(skipped);
                    }
                    match = null;
                }
                if (match == null) {
                    chunk.add(token, w);
                    position++;
                    continue;
                }
                int n = match.embedding().count();
                if (chunk.size() + n > ClipTokenizer.CHUNK_TOKENS) {
                    chunks.add(chunk.build());
                    chunk = new ChunkBuilder();
                    lastComma = -1;
                }
                for (int r = 0; r < n; r++) {
                    chunk.add(0, w, new Chunk.VectorRef(match.embedding(), r));
                }
                position += match.tokens();
            }
        }
        if (chunk.size() > 0 || chunks.isEmpty()) {
            chunks.add(chunk.build());
        }
        return chunks;
    }
}
