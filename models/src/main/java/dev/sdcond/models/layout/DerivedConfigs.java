package dev.sdcond.models.layout;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sdcond.models.InvalidInputException;
import dev.sdcond.models.config.Activation;
import dev.sdcond.models.config.CLIPTextConfig;
import dev.sdcond.models.config.CLIPVisionConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * Tower configs for checkpoints that come without a Hugging Face {@code config.json}: from an
 * {@code open_clip_config.json} when there is one, otherwise from the tensor shapes, with head counts from the known
 * families (text: width / 64; vision: ViT-B 768 -> 12, ViT-L 1024 -> 16, ViT-H 1280 -> 16, ViT-bigG 1664 -> 16) and
 * the activation from the family (OpenAI CLIP in the Hugging Face layout: quick_gelu; OpenCLIP: gelu unless its config
 * says quick_gelu). Derived text configs pool at the argmax of the ids, as OpenAI CLIP and OpenCLIP do.
 */
public final class DerivedConfigs {
    private static final Map<Integer, Integer> VISION_HEADS = Map.of(768, 12, 1024, 16, 1280, 16, 1664, 16);

    private DerivedConfigs() {}

    /** The parts of an {@code open_clip_config.json} that matter here. */
    public record OpenClipConfig(boolean quickGelu, Integer textHeads, Integer visionHeadWidth) {
        public static OpenClipConfig read(Path file) {
            JsonNode root;
            try {
                root = new ObjectMapper().readTree(Files.readString(file));
            } catch (IOException e) {
                throw new InvalidInputException(file + ": not a readable JSON open_clip config: " + e.getMessage(), e);
            }
            JsonNode cfg = root.has("model_cfg") ? root.get("model_cfg") : root;
            if (cfg == null || !cfg.isObject()) {
                throw new InvalidInputException(file + ": no model_cfg object");
            }
            JsonNode text = cfg.path("text_cfg");
            JsonNode vision = cfg.path("vision_cfg");
            return new OpenClipConfig(cfg.path("quick_gelu").asBoolean(false),
                    text.has("heads") ? text.get("heads").asInt() : null,
                    vision.has("head_width") ? vision.get("head_width").asInt() : null);
        }
    }

    public static CLIPTextConfig text(DetectedTower t, OpenClipConfig oc, String where) {
        int heads;
        if (oc != null && oc.textHeads() != null) {
            heads = oc.textHeads();
        } else if (t.width() % 64 == 0) {
            heads = t.width() / 64;
        } else {
            throw new InvalidInputException(where + ": a text tower of width " + t.width()
                    + " is not a known family; give its config (config.json or open_clip_config.json)");
        }
        Activation act = activation(t, oc);
        int vocab = 49408;
        return new CLIPTextConfig(vocab, t.width(), t.mlpWidth(), t.projection().orElse(t.width()), t.layers(), heads,
                t.positions(), act, 1e-5, 1, 0, 2);
    }

    public static CLIPVisionConfig vision(DetectedTower t, OpenClipConfig oc, String where) {
        int heads;
        if (oc != null && oc.visionHeadWidth() != null) {
            heads = t.width() / oc.visionHeadWidth();
        } else if (VISION_HEADS.containsKey(t.width())) {
            heads = VISION_HEADS.get(t.width());
        } else {
            throw new InvalidInputException(where + ": a vision tower of width " + t.width()
                    + " is not a known family (768, 1024, 1280, 1664); give its config (config.json or open_clip_config.json)");
        }
        return new CLIPVisionConfig(t.width(), t.mlpWidth(), t.projection().orElse(t.width()), t.layers(), heads, 3,
                t.imageSize(), t.patchSize(), activation(t, oc), 1e-5);
    }

    private static Activation activation(DetectedTower t, OpenClipConfig oc) {
        if (t.layout() == KeyLayout.OPENCLIP) {
            return oc != null && oc.quickGelu() ? Activation.QUICK_GELU : Activation.GELU;
        }
        // OpenAI CLIP (quick_gelu) ships in the HF layout inside SD1.x/SDXL files; OpenCLIP towers converted to the
        // HF layout (e.g. diffusers' SD2 encoder) have configs of their own
        return t.width() == 768 || t.width() == 1024 && t.kind() == TowerKind.VISION && t.patchSize() == 14
                ? Activation.QUICK_GELU : Activation.GELU;
    }
}
