package dev.sdcond.conditioning.prompt;

/** Which tool's prompt handling to reproduce: syntax, chunking of long prompts, and how weights are applied. */
public enum PromptStyle {
    /**
     * AUTOMATIC1111: {@link A1111Syntax}; 75-token chunks, {@code BREAK}, and text after a comma among the last 20
     * tokens of a full chunk moved to the next chunk; weights multiply the hidden states, then the chunk's original
     * mean is restored.
     */
    A1111,
    /**
     * ComfyUI: {@link ComfySyntax}; 75-token chunks where a weighted segment shorter than 8 tokens is not split
     * across chunks; weights interpolate from the empty prompt's hidden states: {@code (z - z_empty) * w + z_empty}.
     */
    COMFY,
    /** No syntax (brackets are text, no weights), as diffusers without a weighting library; plain 75-token chunks. */
    PLAIN;

    /**
     * A style by name.
     *
     * @param s {@code a1111}, {@code comfy} or {@code plain} (and their aliases)
     * @return the style
     * @throws dev.sdcond.models.InvalidInputException for an unknown name
     */
    public static PromptStyle parse(String s) {
        return switch (s.toLowerCase(java.util.Locale.ROOT)) {
            case "a1111", "auto1111", "webui" -> A1111;
            case "comfy", "comfyui" -> COMFY;
            case "plain", "none", "diffusers" -> PLAIN;
            default -> throw new dev.sdcond.models.InvalidInputException("unknown prompt style '" + s + "' (a1111, comfy, plain)");
        };
    }
}
