package dev.sdcond.models.config;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonProperty;

/** The vision tower's config, as transformers' {@code CLIPVisionConfig}. Missing fields take transformers' defaults. */
@JsonIgnoreProperties(ignoreUnknown = true)
public record CLIPVisionConfig(
        @JsonProperty("hidden_size") int hiddenSize,
        @JsonProperty("intermediate_size") int intermediateSize,
        @JsonProperty("projection_dim") int projectionDim,
        @JsonProperty("num_hidden_layers") int numHiddenLayers,
        @JsonProperty("num_attention_heads") int numAttentionHeads,
        @JsonProperty("num_channels") int numChannels,
        @JsonProperty("image_size") int imageSize,
        @JsonProperty("patch_size") int patchSize,
        @JsonProperty("hidden_act") Activation hiddenAct,
        @JsonProperty("layer_norm_eps") double layerNormEps) {

    /**
     * Checks the sizes.
     *
     * @param hiddenSize W
     * @param intermediateSize the MLP width
     * @param projectionDim P
     * @param numHiddenLayers the depth
     * @param numAttentionHeads the heads
     * @param numChannels input channels
     * @param imageSize the input side
     * @param patchSize the patch side
     * @param hiddenAct the MLP activation
     * @param layerNormEps the norms' epsilon
     * @throws IllegalArgumentException for sizes that are not positive or do not divide
     */
    public CLIPVisionConfig {
        Checks.positive("hidden_size", hiddenSize);
        Checks.positive("intermediate_size", intermediateSize);
        Checks.positive("projection_dim", projectionDim);
        Checks.positive("num_hidden_layers", numHiddenLayers);
        Checks.positive("num_attention_heads", numAttentionHeads);
        Checks.positive("num_channels", numChannels);
        Checks.positive("image_size", imageSize);
        Checks.positive("patch_size", patchSize);
        Checks.divides("hidden_size", hiddenSize, "num_attention_heads", numAttentionHeads);
        Checks.divides("image_size", imageSize, "patch_size", patchSize);
        Checks.positive("layer_norm_eps", layerNormEps);
    }

    @JsonCreator
    static CLIPVisionConfig of(
            @JsonProperty("hidden_size") Integer hiddenSize,
            @JsonProperty("intermediate_size") Integer intermediateSize,
            @JsonProperty("projection_dim") Integer projectionDim,
            @JsonProperty("num_hidden_layers") Integer numHiddenLayers,
            @JsonProperty("num_attention_heads") Integer numAttentionHeads,
            @JsonProperty("num_channels") Integer numChannels,
            @JsonProperty("image_size") Integer imageSize,
            @JsonProperty("patch_size") Integer patchSize,
            @JsonProperty("hidden_act") Activation hiddenAct,
            @JsonProperty("layer_norm_eps") Double layerNormEps) {
        return new CLIPVisionConfig(
                or(hiddenSize, 768), or(intermediateSize, 3072), or(projectionDim, 512), or(numHiddenLayers, 12),
                or(numAttentionHeads, 12), or(numChannels, 3), or(imageSize, 224), or(patchSize, 32),
                hiddenAct == null ? Activation.QUICK_GELU : hiddenAct, layerNormEps == null ? 1e-5 : layerNormEps);
    }

    /**
     * transformers' defaults for every field.
     *
     * @return CLIP ViT-B/32's vision config, as transformers' defaults
     */
    public static CLIPVisionConfig defaults() {
        return of(null, null, null, null, null, null, null, null, null, null);
    }

    /**
     * The width of one head.
     *
     * @return W / heads
     */
    public int headDim() {
        return hiddenSize / numAttentionHeads;
    }

    /**
     * Patches per side.
     *
     * @return patches per side
     */
    public int gridSize() {
        return imageSize / patchSize;
    }

    /**
     * Tokens per image: one class token plus the patches.
     *
     * @return patches plus the class token
     */
    public int numPositions() {
        return gridSize() * gridSize() + 1;
    }

    private static int or(Integer v, int d) {
        return v == null ? d : v;
    }
}
