package dev.sdcond.models.config;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.sdcond.models.InvalidInputException;
import java.nio.file.Path;

/** Reads Hugging Face {@code config.json} files into the config records, with errors that name the file. */
public final class ConfigFiles {
    private static final ObjectMapper JSON = JsonMapper.builder().build();

    private ConfigFiles() {}

    /** What a {@code config.json} describes. */
    public sealed interface ModelConfig permits Text, Vision, Dual {}

    /** {@code CLIPTextModel} / {@code CLIPTextModelWithProjection}. */
    public record Text(CLIPTextConfig config) implements ModelConfig {}

    /** {@code CLIPVisionModel} / {@code CLIPVisionModelWithProjection}. */
    public record Vision(CLIPVisionConfig config) implements ModelConfig {}

    /** {@code CLIPModel}: both towers. */
    public record Dual(CLIPConfig config) implements ModelConfig {}

    /**
     * Reads a {@code config.json}, deciding from {@code model_type} (or, without one, from {@code text_config} /
     * {@code vision_config} / {@code image_size}) which tower(s) it describes.
     *
     * @param file a {@code config.json}
     * @return its configs
     */
    public static ModelConfig read(Path file) {
        JsonNode root = readTree(file);
        String type = root.path("model_type").asText("");
        try {
            switch (type) {
                case "clip":
                    return new Dual(JSON.treeToValue(root, CLIPConfig.class));
                case "clip_text_model":
                    return new Text(JSON.treeToValue(root, CLIPTextConfig.class));
                case "clip_vision_model":
                    return new Vision(JSON.treeToValue(root, CLIPVisionConfig.class));
                case "":
                    if (root.has("text_config") || root.has("vision_config")) {
                        return new Dual(JSON.treeToValue(root, CLIPConfig.class));
                    }
                    if (root.has("image_size") || root.has("patch_size")) {
                        return new Vision(JSON.treeToValue(root, CLIPVisionConfig.class));
                    }
                    return new Text(JSON.treeToValue(root, CLIPTextConfig.class));
                default:
                    throw new InvalidInputException(file + ": model_type '" + type
                            + "' is not a CLIP model (expected clip, clip_text_model or clip_vision_model)");
            }
        } catch (JsonProcessingException | IllegalArgumentException e) {
            throw new InvalidInputException(file + ": invalid CLIP config: " + cause(e), e);
        }
    }

    private static JsonNode readTree(Path file) {
        String text = dev.sdcond.models.io.InputFiles.readUtf8(file);
        JsonNode root;
        try {
            root = JSON.readTree(text);
        } catch (JsonProcessingException e) {
            throw new InvalidInputException(file + ": not valid JSON: " + e.getOriginalMessage(), e);
        }
        if (root == null || !root.isObject()) {
            throw new InvalidInputException(file + ": expected a JSON object");
        }
        return root;
    }

    private static String cause(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null && t.getCause() != t) {
            t = t.getCause();
        }
        String m = t instanceof JsonProcessingException j ? j.getOriginalMessage() : t.getMessage();
        return m == null ? t.toString() : m;
    }
}
