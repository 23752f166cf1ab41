package dev.sdcond.conditioning.prompt;

import dev.sdcond.models.InvalidInputException;

/** A prompt's weighting syntax is malformed; the message names the character position (0-based). */
public final class PromptSyntaxException extends InvalidInputException {
    /** Where in the prompt the problem is. */
    private final int position;

    /**
     * A syntax error.
     *
     * @param prompt the prompt
     * @param position the character index of the problem
     * @param problem what is wrong
     */
    public PromptSyntaxException(String prompt, int position, String problem) {
        super("prompt syntax error at position " + position + ": " + problem + "\n  " + excerpt(prompt, position));
        this.position = position;
    }

    /**
     * Where in the prompt the problem is.
     *
     * @return the character index
     */
    public int position() {
        return position;
    }

    private static String excerpt(String prompt, int position) {
        int from = Math.max(0, position - 30);
        int to = Math.min(prompt.length(), position + 30);
        String s = prompt.substring(from, to).replace('\n', ' ');
        return (from > 0 ? "..." : "") + s + (to < prompt.length() ? "..." : "") + "\n  "
                + " ".repeat(position - from + (from > 0 ? 3 : 0)) + "^";
    }
}
