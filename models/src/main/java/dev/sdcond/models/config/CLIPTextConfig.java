package dev.sdcond.models.config;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * The text tower's config, as transformers' {@code CLIPTextConfig}. Missing fields take transformers' defaults.
 *
 * @param eosTokenId 2 selects the legacy pooling rule (row at the argmax of the ids); any other value pools at the
 *     first occurrence of this id
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record CLIPTextConfig(
        @JsonProperty("vocab_size") int vocabSize,
        @JsonProperty("hidden_size") int hiddenSize,
        @JsonProperty("intermediate_size") int intermediateSize,
        @JsonProperty("projection_dim") int projectionDim,
        @JsonProperty("num_hidden_layers") int numHiddenLayers,
        @JsonProperty("num_attention_heads") int numAttentionHeads,
        @JsonProperty("max_position_embeddings") int maxPositionEmbeddings,
        @JsonProperty("hidden_act") Activation hiddenAct,
        @JsonProperty("layer_norm_eps") double layerNormEps,
        @JsonProperty("pad_token_id") int padTokenId,
        @JsonProperty("bos_token_id") int bosTokenId,
        @JsonProperty("eos_token_id") int eosTokenId) {

    /**
     * Checks the sizes.
     *
     * @param vocabSize tokens in the vocabulary
     * @param hiddenSize W
     * @param intermediateSize the MLP width
     * @param projectionDim P
     * @param numHiddenLayers the depth
     * @param numAttentionHeads the heads
     * @param maxPositionEmbeddings the most tokens
     * @param hiddenAct the MLP activation
     * @param layerNormEps the norms' epsilon
     * @param padTokenId the padding id
     * @param bosTokenId the BOS id
     * @param eosTokenId the EOS id (2: legacy argmax pooling)
     * @throws IllegalArgumentException for sizes that are not positive or do not divide
     */
    public CLIPTextConfig {
        Checks.positive("vocab_size", vocabSize);
        Checks.positive("hidden_size", hiddenSize);
        Checks.positive("intermediate_size", intermediateSize);
        Checks.positive("projection_dim", projectionDim);
        Checks.positive("num_hidden_layers", numHiddenLayers);
        Checks.positive("num_attention_heads", numAttentionHeads);
        Checks.positive("max_position_embeddings", maxPositionEmbeddings);
        Checks.atMost("max_position_embeddings", maxPositionEmbeddings, MAX_POSITIONS);
        Checks.divides("hidden_size", hiddenSize, "num_attention_heads", numAttentionHeads);
        Checks.positive("layer_norm_eps", layerNormEps);
    }

    @JsonCreator
    static CLIPTextConfig of(
            @JsonProperty("vocab_size") Integer vocabSize,
            @JsonProperty("hidden_size") Integer hiddenSize,
            @JsonProperty("intermediate_size") Integer intermediateSize,
            @JsonProperty("projection_dim") Integer projectionDim,
            @JsonProperty("num_hidden_layers") Integer numHiddenLayers,
            @JsonProperty("num_attention_heads") Integer numAttentionHeads,
            @JsonProperty("max_position_embeddings") Integer maxPositionEmbeddings,
            @JsonProperty("hidden_act") Activation hiddenAct,
            @JsonProperty("layer_norm_eps") Double layerNormEps,
            @JsonProperty("pad_token_id") Integer padTokenId,
            @JsonProperty("bos_token_id") Integer bosTokenId,
            @JsonProperty("eos_token_id") Integer eosTokenId) {
        return new CLIPTextConfig(
                or(vocabSize, 49408), or(hiddenSize, 512), or(intermediateSize, 2048), or(projectionDim, 512),
                or(numHiddenLayers, 12), or(numAttentionHeads, 8), or(maxPositionEmbeddings, 77),
                hiddenAct == null ? Activation.QUICK_GELU : hiddenAct, layerNormEps == null ? 1e-5 : layerNormEps,
                or(padTokenId, 1), or(bosTokenId, 49406), or(eosTokenId, 49407));
    }

    /**
     * transformers' defaults for every field.
     *
     * @return CLIP ViT-B/32's text config, as transformers' defaults
     */
    public static CLIPTextConfig defaults() {
        return of(null, null, null, null, null, null, null, null, null, null, null, null);
    }

    /** The longest context sdcond builds a causal mask for (CLIP has 77; long-context variants a few hundred). */
    public static final int MAX_POSITIONS = 4096;

    /**
     * The width of one head.
     *
     * @return W / heads
     */
    public int headDim() {
        return hiddenSize / numAttentionHeads;
    }

    /**
     * Whether pooling uses the legacy argmax-of-ids rule ({@code eos_token_id == 2}).
     *
     * @return whether pooling takes the argmax of the ids
     */
    public boolean legacyArgmaxPooling() {
        return eosTokenId == 2;
    }

    private static int or(Integer v, int d) {
        return v == null ? d : v;
    }
}
