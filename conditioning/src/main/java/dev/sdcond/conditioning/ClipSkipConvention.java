package dev.sdcond.conditioning;

import dev.sdcond.models.InvalidInputException;

/** Whose numbering a "clip skip" value uses; each turns it into the layer that tool takes. */
public enum ClipSkipConvention {
    /** A1111's "Clip skip N": 1 is the last layer ({@link LayerSelection#a1111ClipSkip}). */
    A1111,
    /** diffusers' {@code clip_skip=k}: 0 is the pipeline's default ({@link LayerSelection#diffusersClipSkip}). */
    DIFFUSERS,
    /** ComfyUI's {@code CLIPSetLastLayer}: -1 is the last layer ({@link LayerSelection#comfySetLastLayer}). */
    COMFY;

    /**
     * The convention a clip skip value is read in when none is named: diffusers' for SD3 and Flux (every SD3 user
     * means {@code clip_skip} of diffusers' pipeline), A1111's for the others.
     *
     * @param preset the preset
     * @return its users' convention
     */
    public static ClipSkipConvention defaultFor(Preset preset) {
        return preset.takesT5() ? DIFFUSERS : A1111;
    }

    /**
     * The layer this convention's value selects in a preset.
     *
     * @param value the clip skip value
     * @param preset the preset (SDXL counts differently in diffusers; the final norm follows the preset in ComfyUI)
     * @return the layer
     * @throws InvalidInputException for a value outside the convention's range
     */
    public LayerSelection layer(int value, Preset preset) {
        return switch (this) {
            case A1111 -> LayerSelection.a1111ClipSkip(value);
            case DIFFUSERS -> LayerSelection.diffusersClipSkip(value, preset.isSdxl());
            case COMFY -> LayerSelection.comfySetLastLayer(value, preset.encoders().get(0).layer().finalNorm());
        };
    }
}
