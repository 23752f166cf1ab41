package dev.sdcond.conditioning;

/** What happens to a prompt with an unclosed bracket or a stray closer. */
public enum SyntaxMode {
    /** As the tools do: an unclosed bracket runs to the end of the prompt, a stray closer is text. */
    TOLERANT,
    /** The prompt is refused with a message that points at the problem. */
    STRICT
}
