package dev.sdcond.conditioning.prompt;

import java.util.List;

/**
 * A prompt cut into chunks.
 *
 * @param chunks at least one
 * @param tokenCount tokens of text in all chunks (BOS/EOS/padding not counted)
 * @param droppedTokens tokens cut off by truncation or a chunk limit
 * @param warnings what the parser tolerated
 */
public record TokenizedPrompt(List<Chunk> chunks, int tokenCount, int droppedTokens,
        List<ParsedPrompt.Warning> warnings) {
    /**
     * Copies the lists.
     *
     * @param chunks the chunks
     * @param tokenCount tokens of text encoded
     * @param droppedTokens tokens cut by the chunk limit
     * @param warnings the problems tolerated
     */
    public TokenizedPrompt {
        chunks = List.copyOf(chunks);
        warnings = List.copyOf(warnings);
        if (chunks.isEmpty()) {
            throw new IllegalArgumentException("a prompt has at least one chunk");
        }
    }
}
