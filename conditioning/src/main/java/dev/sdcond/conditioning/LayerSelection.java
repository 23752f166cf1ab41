package dev.sdcond.conditioning;

/**
 * Which hidden state of a text encoder becomes the conditioning, in one model: a {@code hidden_states} index as in
 * transformers (negative from the end: -1 is the last layer's output, -2 the penultimate) and whether the tower's
 * final layer norm is applied to it. The converters take the settings users know from each tool.
 *
 * <p>Indices count from the end of the original model: diffusers ships SD2's 24-layer OpenCLIP-H text encoder cut
 * to 23 layers, and {@link #resolve} counts from the full depth, so "penultimate" means the same layer in both.
 *
 * @param index hidden_states index, -1 = last layer, 0 = the embeddings
 * @param finalNorm whether to apply {@code final_layer_norm}
 */
public record LayerSelection(int index, boolean finalNorm) {
    /** transformers' {@code last_hidden_state}: the last layer with the final norm (SD1.x). */
    public static final LayerSelection LAST = new LayerSelection(-1, true);
    /** The penultimate layer with the final norm (SD2.x; A1111 "Clip skip 2" on SD1.x). */
    public static final LayerSelection PENULTIMATE_NORMED = new LayerSelection(-2, true);
    /** The penultimate layer without the final norm (SDXL, both encoders). */
    public static final LayerSelection PENULTIMATE_RAW = new LayerSelection(-2, false);

    /**
     * A1111's "Clip skip N": 1 is the last layer; N > 1 takes hidden_states[-N], then the final norm.
     *
     * @param n the clip skip, 1 or more
     * @return the layer
     */
    public static LayerSelection a1111ClipSkip(int n) {
        if (n < 1) {
            throw new dev.sdcond.models.InvalidInputException("A1111 clip skip starts at 1 (the last layer), got " + n);
        }
        return new LayerSelection(-n, true);
    }

    /**
     * diffusers' {@code clip_skip=k}: SD1.x/SD2.x pipelines take hidden_states[-(k+1)] and apply the final norm;
     * SDXL pipelines take hidden_states[-(k+2)] without it (k = 0 is their default).
     *
     * @param k the clip_skip, 0 or more
     * @param sdxl whether the pipeline is SDXL's
     * @return the layer
     */
    public static LayerSelection diffusersClipSkip(int k, boolean sdxl) {
        if (k < 0) {
            throw new dev.sdcond.models.InvalidInputException("diffusers clip_skip is 0 or more, got " + k);
        }
        return sdxl ? new LayerSelection(-(k + 2), false) : new LayerSelection(-(k + 1), true);
    }

    /**
     * ComfyUI's {@code CLIPSetLastLayer} with {@code stop_at_clip_layer = -n}: hidden_states[-n]; the final norm is
     * applied as the model's CLIP does by default (SD1.x/SD2.x yes, SDXL no).
     *
     * @param stopAt -1 or less
     * @param finalNorm whether the model's CLIP applies the final norm
     * @return the layer
     */
    public static LayerSelection comfySetLastLayer(int stopAt, boolean finalNorm) {
        if (stopAt > -1) {
            throw new dev.sdcond.models.InvalidInputException("ComfyUI's stop_at_clip_layer is -1 or less, got " + stopAt);
        }
        return new LayerSelection(stopAt, finalNorm);
    }

    /**
     * The non-negative hidden_states index in a loaded tower.
     *
     * @param loadedLayers the layers the checkpoint has
     * @param originalLayers the layers of the model it was cut from (same as loaded unless cut)
     * @throws IllegalArgumentException when the layer is not in the checkpoint; never clamps
     * @return the index from 0 (the embeddings) to {@code loadedLayers}
     */
    public int resolve(int loadedLayers, int originalLayers) {
        int abs = index < 0 ? originalLayers + 1 + index : index;
        if (abs < 0 || abs > loadedLayers) {
            String cut = loadedLayers == originalLayers ? ""
                    : " (the checkpoint is a " + originalLayers + "-layer model cut to " + loadedLayers + " layers)";
            throw new dev.sdcond.models.InvalidInputException("hidden_states[" + index + "] is not in a " + loadedLayers
                    + "-layer text encoder" + cut + "; valid: 0.." + loadedLayers + " or " + (-(originalLayers + 1))
                    + ".." + (loadedLayers - originalLayers - 1));
        }
        return abs;
    }
}
