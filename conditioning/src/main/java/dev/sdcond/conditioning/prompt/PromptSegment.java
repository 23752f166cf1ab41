package dev.sdcond.conditioning.prompt;

/**
 * A run of prompt text with one attention weight, or a {@code BREAK} (which starts a new 75-token chunk).
 *
 * @param text the text (empty for a break)
 * @param weight the multiplier of its tokens' hidden states
 * @param isBreak whether this is a {@code BREAK}
 */
public record PromptSegment(String text, double weight, boolean isBreak) {
    /**
     * A text segment.
     *
     * @param text the text
     * @param weight its weight
     * @return the segment
     */
    public static PromptSegment text(String text, double weight) {
        return new PromptSegment(text, weight, false);
    }

    /**
     * A {@code BREAK}: the next text starts a new chunk.
     *
     * @return the marker
     */
    public static PromptSegment breakMarker() {
        return new PromptSegment("", 1.0, true);
    }
}
