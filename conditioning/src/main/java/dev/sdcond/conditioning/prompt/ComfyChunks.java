package dev.sdcond.conditioning.prompt;

import dev.sdcond.conditioning.embeddings.Embedding;
import dev.sdcond.conditioning.tokenizer.ClipTokenizer;
import java.util.ArrayList;
import java.util.List;

/** ComfyUI's chunking of a parsed prompt: its groups, its embeddings by {@code embedding:NAME}, its split rule. */
final class ComfyChunks {
    /** Where ComfyUI cuts a segment: before an {@code embedding:} after a space or a newline (the cut eats those). */
    private static final java.util.regex.Pattern COMFY_EMBEDDING_CUT = java.util.regex.Pattern.compile(
            "(?: |\\n)(?=embedding:)");


    private ComfyChunks() {
    }

    /**
     * ComfyUI's tokenize_with_weights (sd1_clip.py as of the goldens' commit): each weighted segment is cut before
     * every {@code embedding:} that follows a space or newline; each text piece is one group, and an
     * {@code embedding:NAME} piece gives the embedding's vectors as a group, then the text after the name as another.
     * A group of under 8 tokens moves whole to the next chunk when it does not fit; a longer one is split across the
     * chunks. An unknown name is dropped with a warning when embedding folders are given; without any,
     * {@code embedding:NAME} is text.
     */
    static List<Chunk> of(ParsedPrompt parsed, ClipTokenizer tokenizer, PromptTokenizer.Triggers embeddings,
            List<ParsedPrompt.Warning> comfyWarnings) {
        List<Chunk> chunks = new ArrayList<>();
        ChunkBuilder chunk = new ChunkBuilder();
        for (ComfyGroup g : groups(parsed, tokenizer, embeddings, comfyWarnings)) {
            boolean large = g.ids().length >= PromptTokenizer.COMFY_MAX_WORD_LENGTH;
            int pos = 0;
            while (pos < g.ids().length) {
                int left = g.ids().length - pos;
                if (left + chunk.size() > ClipTokenizer.CHUNK_TOKENS) {
                    if (large) {
                        int room = ClipTokenizer.CHUNK_TOKENS - chunk.size();
                        for (int i = 0; i < room; i++, pos++) {
                            chunk.add(g.ids()[pos], g.weight(), g.vectors()[pos]);
                        }
                    }
                    chunks.add(chunk.build());
                    chunk = new ChunkBuilder();
                } else {
                    for (; pos < g.ids().length; pos++) {
                        chunk.add(g.ids()[pos], g.weight(), g.vectors()[pos]);
                    }
                }
            }
        }
        if (chunk.size() > 0 || chunks.isEmpty()) {
            chunks.add(chunk.build());
        }
        return chunks;
    }

    /** A group ComfyUI keeps together when it fits: a text piece's tokens, or an embedding's vectors (id 0). */
    private record ComfyGroup(long[] ids, Chunk.VectorRef[] vectors, float weight) {
        static ComfyGroup text(long[] ids, float weight) {
            return new ComfyGroup(ids, new Chunk.VectorRef[ids.length], weight);
        }

        static ComfyGroup embedding(Embedding e, float weight) {
            Chunk.VectorRef[] refs = new Chunk.VectorRef[e.count()];
            for (int r = 0; r < refs.length; r++) {
                refs[r] = new Chunk.VectorRef(e, r);
            }
            return new ComfyGroup(new long[refs.length], refs, weight);
        }
    }

    /** The prompt's groups, in order, as ComfyUI's tokenize_with_weights makes them. */
    private static List<ComfyGroup> groups(ParsedPrompt parsed, ClipTokenizer tokenizer,
            PromptTokenizer.Triggers embeddings, List<ParsedPrompt.Warning> comfyWarnings) {
        List<ComfyGroup> groups = new ArrayList<>();
        for (PromptSegment seg : parsed.segments()) {
            float weight = (float) seg.weight();
            for (String piece : COMFY_EMBEDDING_CUT.split(seg.text(), -1)) {
                if (piece.isEmpty()) {
                    continue;
                }
                String text = piece;
                if (piece.startsWith(PromptTokenizer.COMFY_EMBEDDING) && embeddings.store().hasFolders()) {
                    String rest = piece.substring(PromptTokenizer.COMFY_EMBEDDING.length()).strip();
                    String[] words = rest.isEmpty() ? new String[0] : rest.split("\\s+");
                    String name = words.length == 0 ? "" : words[0];
                    String leftover = String.join(" ", java.util.Arrays.copyOfRange(words, Math.min(1, words.length),
                            words.length));
                    Embedding e = name.isEmpty() ? null : embeddings.store().find(name).orElse(null);
                    if (e == null) {
                        String stripped = stripCommas(name);
                        if (stripped.length() < name.length()) {
                            e = stripped.isEmpty() ? null : embeddings.store().find(stripped).orElse(null);
                            leftover = name.substring(stripped.length()) + " " + leftover;
                        }
                    }
                    if (e == null) {
                        comfyWarnings.add(new ParsedPrompt.Warning(-1, "embedding:" + name + " does not exist,"
                                + " ignoring"));
                    } else {
                        groups.add(ComfyGroup.embedding(e, weight));
                    }
                    if (leftover.isEmpty()) {
                        continue;
                    }
                    text = leftover;
                }
                groups.add(ComfyGroup.text(tokenizer.tokenize(text), weight));
            }
        }
        return groups;
    }

    /** Python's {@code str.strip(',')}. */
    private static String stripCommas(String s) {
        int a = 0;
        int b = s.length();
        while (a < b && s.charAt(a) == ',') {
            a++;
        }
        while (b > a && s.charAt(b - 1) == ',') {
            b--;
        }
        return s.substring(a, b);
    }
}
