package dev.sdcond.models.config;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonProperty;

/** A dual-tower {@code CLIPModel} config: {@code text_config} and {@code vision_config}. */
@JsonIgnoreProperties(ignoreUnknown = true)
public record CLIPConfig(
        @JsonProperty("text_config") CLIPTextConfig textConfig,
        @JsonProperty("vision_config") CLIPVisionConfig visionConfig,
        @JsonProperty("projection_dim") int projectionDim) {

    @JsonCreator
    static CLIPConfig of(
            @JsonProperty("text_config") CLIPTextConfig textConfig,
            @JsonProperty("vision_config") CLIPVisionConfig visionConfig,
            @JsonProperty("projection_dim") Integer projectionDim) {
        return new CLIPConfig(textConfig == null ? CLIPTextConfig.defaults() : textConfig,
                visionConfig == null ? CLIPVisionConfig.defaults() : visionConfig,
                projectionDim == null ? 512 : projectionDim);
    }
}
