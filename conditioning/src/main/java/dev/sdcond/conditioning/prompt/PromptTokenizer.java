package dev.sdcond.conditioning.prompt;

import dev.sdcond.conditioning.tokenizer.ClipTokenizer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Turns prompt text into chunks of at most 75 weighted tokens, the way the chosen tool does.
 *
 * @param tokenizer the CLIP tokenizer
 * @param style whose syntax and chunking to follow
 * @param strict whether syntax problems the tools tolerate (unclosed brackets, stray closers) are errors
 * @param commaBacktrack A1111's "comma padding backtrack": when a chunk is full and a comma is among its last this
 *     many tokens, the text after the comma moves to the next chunk (A1111's default 20; 0 turns it off)
 */
public record PromptTokenizer(ClipTokenizer tokenizer, PromptStyle style, boolean strict, int commaBacktrack) {
    /** The id of {@code ,</w>} in the CLIP vocabulary. */
    public static final long COMMA = 267;
    /** ComfyUI keeps a weighted segment shorter than this many tokens in one chunk. */
    public static final int COMFY_MAX_WORD_LENGTH = 8;

    public PromptTokenizer(ClipTokenizer tokenizer, PromptStyle style) {
        this(tokenizer, style, false, 20);
    }

    /** Parses the prompt's weighting syntax (none for {@link PromptStyle#PLAIN}). */
    public ParsedPrompt parse(String prompt) {
        ParsedPrompt p = switch (style) {
            case A1111 -> A1111Syntax.parse(prompt);
            case COMFY -> ComfySyntax.parse(prompt);
            case PLAIN -> new ParsedPrompt(List.of(PromptSegment.text(prompt, 1.0)), List.of());
        };
        return strict ? p.strict(prompt) : p;
    }

    /** All chunks of a prompt. */
    public TokenizedPrompt tokenize(String prompt) {
        ParsedPrompt parsed = parse(prompt);
        List<Chunk> chunks = style == PromptStyle.COMFY ? comfyChunks(parsed) : a1111Chunks(parsed);
        int count = chunks.stream().mapToInt(c -> c.tokens().length).sum();
        return new TokenizedPrompt(chunks, count, 0, parsed.warnings());
    }

    /** At most {@code maxChunks} chunks; what is cut is counted in {@code droppedTokens}. */
    public TokenizedPrompt tokenize(String prompt, int maxChunks) {
        TokenizedPrompt all = tokenize(prompt);
        if (all.chunks().size() <= maxChunks) {
            return all;
        }
        List<Chunk> kept = all.chunks().subList(0, maxChunks);
        int keptCount = kept.stream().mapToInt(c -> c.tokens().length).sum();
        return new TokenizedPrompt(kept, keptCount, all.tokenCount() - keptCount, all.warnings());
    }

    /** A1111's tokenize_line (without textual inversion embeddings); PLAIN uses it with one unweighted segment. */
    private List<Chunk> a1111Chunks(ParsedPrompt parsed) {
        int backtrack = style == PromptStyle.A1111 ? commaBacktrack : 0;
        List<Chunk> chunks = new ArrayList<>();
        Builder chunk = new Builder();
        int lastComma = -1;
        for (PromptSegment seg : parsed.segments()) {
            if (seg.isBreak()) {
                chunks.add(chunk.build());
                chunk = new Builder();
                lastComma = -1;
                continue;
            }
            float w = (float) seg.weight();
            for (long token : tokenizer.tokenize(seg.text())) {
                if (token == COMMA) {
                    lastComma = chunk.size();
                } else if (backtrack != 0 && chunk.size() == ClipTokenizer.CHUNK_TOKENS && lastComma != -1
                        && chunk.size() - lastComma <= backtrack) {
                    Builder moved = chunk.splitAt(lastComma + 1);
                    chunks.add(chunk.build());
                    chunk = moved;
                    lastComma = -1;
                }
                if (chunk.size() == ClipTokenizer.CHUNK_TOKENS) {
                    chunks.add(chunk.build());
                    chunk = new Builder();
                    lastComma = -1;
                }
                chunk.add(token, w);
            }
        }
        if (chunk.size() > 0 || chunks.isEmpty()) {
            chunks.add(chunk.build());
        }
        return chunks;
    }

    /**
     * ComfyUI's tokenize_with_weights: each weighted segment is split into words at spaces (newlines count as
     * spaces), each word is tokenized on its own, and a word of under 8 tokens moves whole to the next chunk when it
     * does not fit; a longer one is split across the chunks.
     */
    private List<Chunk> comfyChunks(ParsedPrompt parsed) {
        List<Chunk> chunks = new ArrayList<>();
        Builder chunk = new Builder();
        List<long[]> groups = new ArrayList<>();
        List<Float> groupWeights = new ArrayList<>();
        for (PromptSegment seg : parsed.segments()) {
            for (String word : seg.text().replace('\n', ' ').split(" ")) {
                if (!word.isEmpty()) {
                    groups.add(tokenizer.tokenize(word));
                    groupWeights.add((float) seg.weight());
                }
            }
        }
        for (int gi = 0; gi < groups.size(); gi++) {
            long[] group = groups.get(gi);
            float w = groupWeights.get(gi);
            boolean large = group.length >= COMFY_MAX_WORD_LENGTH;
            int pos = 0;
            while (pos < group.length) {
                int left = group.length - pos;
                if (left + chunk.size() > ClipTokenizer.CHUNK_TOKENS) {
                    if (large) {
                        int room = ClipTokenizer.CHUNK_TOKENS - chunk.size();
                        for (int i = 0; i < room; i++) {
                            chunk.add(group[pos++], w);
                        }
                    }
                    chunks.add(chunk.build());
                    chunk = new Builder();
                } else {
                    while (pos < group.length) {
                        chunk.add(group[pos++], w);
                    }
                }
            }
        }
        if (chunk.size() > 0 || chunks.isEmpty()) {
            chunks.add(chunk.build());
        }
        return chunks;
    }

    private static final class Builder {
        private long[] tokens = new long[ClipTokenizer.CHUNK_TOKENS];
        private float[] weights = new float[ClipTokenizer.CHUNK_TOKENS];
        private int size;

        int size() {
            return size;
        }

        void add(long token, float weight) {
            tokens[size] = token;
            weights[size] = weight;
            size++;
        }

        /** Removes tokens from {@code at} on and returns them as a new builder. */
        Builder splitAt(int at) {
            Builder rest = new Builder();
            for (int i = at; i < size; i++) {
                rest.add(tokens[i], weights[i]);
            }
            size = at;
            return rest;
        }

        Chunk build() {
            return new Chunk(Arrays.copyOf(tokens, size), Arrays.copyOf(weights, size));
        }
    }
}
