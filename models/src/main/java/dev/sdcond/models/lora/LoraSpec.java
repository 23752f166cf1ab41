package dev.sdcond.models.lora;

import dev.sdcond.models.InvalidInputException;
import java.nio.file.Path;

/**
 * A LoRA to merge into the text encoders, and how strongly (ComfyUI's {@code strength_clip}, A1111's
 * {@code <lora:NAME:W>}, diffusers' {@code lora_scale}).
 *
 * @param file a safetensors LoRA file
 * @param strength the multiplier of its update, 1.0 for as trained
 */
public record LoraSpec(Path file, double strength) {
    /**
     * Checks that the strength is a finite number.
     *
     * @param file the LoRA file
     * @param strength its multiplier
     */
    public LoraSpec {
        if (!Double.isFinite(strength)) {
            throw new InvalidInputException(file + ": LoRA strength must be a finite number, is " + strength);
        }
    }

    /**
     * Parses {@code FILE} or {@code FILE:STRENGTH}. A path that itself ends in {@code :NUMBER} and exists is taken
     * whole.
     *
     * @param s the text, e.g. {@code style.safetensors:0.6}
     * @return the LoRA and its strength (1.0 when none is given)
     */
    public static LoraSpec parse(String s) {
        int colon = s.lastIndexOf(':');
        if (colon > 0 && !java.nio.file.Files.exists(Path.of(s))) {
            String tail = s.substring(colon + 1);
            try {
                return new LoraSpec(Path.of(s.substring(0, colon)), Double.parseDouble(tail.strip()));
            } catch (NumberFormatException e) {
                throw new InvalidInputException("'" + s + "': a LoRA is FILE or FILE:STRENGTH, and '" + tail
                        + "' is not a number");
            }
        }
        return new LoraSpec(Path.of(s), 1.0);
    }
}
