package dev.sdcond.conditioning.prompt;

import java.util.List;

/**
 * A prompt split into weighted segments, with what the parser had to guess (e.g. an unclosed bracket, closed at the
 * end as the reference tools do).
 *
 * @param segments the weighted runs of text and the breaks
 * @param warnings problems that were resolved the way the reference tool resolves them, each naming a position
 */
public record ParsedPrompt(List<PromptSegment> segments, List<Warning> warnings) {
    /**
     * Copies the lists.
     *
     * @param segments the text segments with their weights
     * @param warnings the problems tolerated
     */
    public ParsedPrompt {
        segments = List.copyOf(segments);
        warnings = List.copyOf(warnings);
    }

    /** A tolerated problem at a character position (0-based; -1 when it has none). */
    public record Warning(int position, String message) {
        @Override
        public String toString() {
            return position < 0 ? message : "position " + position + ": " + message;
        }
    }

    /**
     * Throws the first warning as a {@link PromptSyntaxException}: strict parsing.
     *
     * @param prompt the prompt, for the message
     * @return this
     */
    public ParsedPrompt strict(String prompt) {
        if (!warnings.isEmpty()) {
            Warning w = warnings.get(0);
            throw new PromptSyntaxException(prompt, w.position(), w.message());
        }
        return this;
    }
}
