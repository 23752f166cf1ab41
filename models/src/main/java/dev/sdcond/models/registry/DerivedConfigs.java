package dev.sdcond.models.registry;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sdcond.models.InvalidInputException;
import dev.sdcond.models.config.Activation;
import dev.sdcond.models.config.CLIPTextConfig;
import dev.sdcond.models.config.CLIPVisionConfig;
import java.io.IOException;
import java.nio.file.Path;
import dev.sdcond.models.layout.DetectedTower;
import dev.sdcond.models.layout.KeyLayout;
import dev.sdcond.models.layout.TowerKind;

/**
 * Tower configs for checkpoints that come without a Hugging Face {@code config.json}: from an
 * {@code open_clip_config.json} when there is one, otherwise from the tensor shapes, with head counts and the
 * activation from the known families ({@link ClipFamily}; OpenCLIP layout: gelu unless its config says
 * quick_gelu). Derived text configs pool at the argmax of the ids, as OpenAI CLIP and OpenCLIP do.
 */
public final class DerivedConfigs {
    private DerivedConfigs() {}

    /**
     * The parts of an {@code open_clip_config.json} that matter here; each size it gives must be a positive integer
     * and agree with the weights (checked in {@link #text} and {@link #vision}).
     */
    public record OpenClipConfig(String file, boolean quickGelu, Integer textHeads, Integer textWidth,
            Integer textLayers, Integer visionHeadWidth, Integer visionWidth, Integer visionLayers,
            Integer visionPatch, Integer visionImage) {
        /**
         * Reads an {@code open_clip_config.json}.
         *
         * @param file the file
         * @return its sizes
         * @throws InvalidInputException for invalid JSON or sizes
         */
        public static OpenClipConfig read(Path file) {
            JsonNode root;
            try {
                root = new ObjectMapper().readTree(dev.sdcond.models.io.InputFiles.readUtf8(file));
            } catch (IOException e) {
                throw new InvalidInputException(file + ": not valid JSON: " + e.getMessage(), e);
            }
            JsonNode cfg = root != null && root.has("model_cfg") ? root.get("model_cfg") : root;
            if (cfg == null || !cfg.isObject()) {
                throw new InvalidInputException(file + ": no model_cfg object");
            }
            JsonNode text = cfg.path("text_cfg");
            JsonNode vision = cfg.path("vision_cfg");
            String f = file.toString();
            return new OpenClipConfig(f, cfg.path("quick_gelu").asBoolean(false),
                    positive(f, text, "text_cfg", "heads"), positive(f, text, "text_cfg", "width"),
                    positive(f, text, "text_cfg", "layers"), positive(f, vision, "vision_cfg", "head_width"),
                    positive(f, vision, "vision_cfg", "width"), positive(f, vision, "vision_cfg", "layers"),
                    positive(f, vision, "vision_cfg", "patch_size"), positive(f, vision, "vision_cfg", "image_size"));
        }

        private static Integer positive(String file, JsonNode section, String sectionName, String field) {
            JsonNode v = section.get(field);
            if (v == null || v.isNull()) {
                return null;
            }
            if (!v.isIntegralNumber() || !v.canConvertToInt() || v.asInt() <= 0) {
                throw new InvalidInputException(file + ": " + sectionName + "." + field + " must be a positive integer, is "
                        + v);
            }
            return v.asInt();
        }

        private void agrees(String field, Integer claimed, int found) {
            if (claimed != null && claimed != found) {
                throw new InvalidInputException(file + ": " + field + " is " + claimed + " but the weights have " + found);
            }
        }
    }

    /**
     * The config of a text tower found in the weights.
     *
     * @param t the tower
     * @param oc its {@code open_clip_config.json}, or null
     * @param where the checkpoint, for messages
     * @return the config
     * @throws InvalidInputException when the config disagrees with the weights, or the family is unknown
     */
    public static CLIPTextConfig text(DetectedTower t, OpenClipConfig oc, String where) {
        int heads;
        if (oc != null) {
            oc.agrees("text_cfg.width", oc.textWidth(), t.width());
            oc.agrees("text_cfg.layers", oc.textLayers(), t.layers());
        }
        if (oc != null && oc.textHeads() != null) {
            heads = oc.textHeads();
            if (t.width() % heads != 0) {
                throw new InvalidInputException(oc.file() + ": text_cfg.heads (" + heads
                        + ") does not divide the text width " + t.width());
            }
        } else if (ClipFamily.headsFor(TowerKind.TEXT, t.width()).isPresent()) {
            heads = ClipFamily.headsFor(TowerKind.TEXT, t.width()).get();
        } else {
            throw new InvalidInputException(where + ": a text tower of width " + t.width()
                    + " is not a known family; give its config (config.json or open_clip_config.json)");
        }
        Activation act = activation(t, oc);
        int vocab = 49408;
        try {
            return new CLIPTextConfig(vocab, t.width(), t.mlpWidth(), t.projection().orElse(t.width()), t.layers(),
                    heads, t.positions(), act, 1e-5, 1, 0, 2);
        } catch (IllegalArgumentException e) {
            throw new InvalidInputException(where + ": the text tower's shapes give " + e.getMessage(), e);
        }
    }

    /**
     * The config of a vision tower found in the weights.
     *
     * @param t the tower
     * @param oc its {@code open_clip_config.json}, or null
     * @param where the checkpoint, for messages
     * @return the config
     * @throws InvalidInputException when the config disagrees with the weights, or the family is unknown
     */
    public static CLIPVisionConfig vision(DetectedTower t, OpenClipConfig oc, String where) {
        int heads;
        if (oc != null) {
            oc.agrees("vision_cfg.width", oc.visionWidth(), t.width());
            oc.agrees("vision_cfg.layers", oc.visionLayers(), t.layers());
            oc.agrees("vision_cfg.patch_size", oc.visionPatch(), t.patchSize());
            oc.agrees("vision_cfg.image_size", oc.visionImage(), t.imageSize());
        }
        if (oc != null && oc.visionHeadWidth() != null) {
            if (t.width() % oc.visionHeadWidth() != 0) {
                throw new InvalidInputException(oc.file() + ": vision_cfg.head_width (" + oc.visionHeadWidth()
                        + ") does not divide the vision width " + t.width());
            }
            heads = t.width() / oc.visionHeadWidth();
        } else if (ClipFamily.headsFor(TowerKind.VISION, t.width()).isPresent()) {
            heads = ClipFamily.headsFor(TowerKind.VISION, t.width()).get();
        } else {
            throw new InvalidInputException(where + ": a vision tower of width " + t.width() + " is not a known family ("
                    + ClipFamily.visionWidths() + "); give its config (config.json or open_clip_config.json)");
        }
        try {
            return new CLIPVisionConfig(t.width(), t.mlpWidth(), t.projection().orElse(t.width()), t.layers(), heads, 3,
                    t.imageSize(), t.patchSize(), activation(t, oc), 1e-5);
        } catch (IllegalArgumentException e) {
            throw new InvalidInputException(where + ": the vision tower's shapes give " + e.getMessage(), e);
        }
    }

    private static Activation activation(DetectedTower t, OpenClipConfig oc) {
        if (t.layout() == KeyLayout.OPENCLIP) {
            return oc != null && oc.quickGelu() ? Activation.QUICK_GELU : Activation.GELU;
        }
        return ClipFamily.hfLayoutActivation(t.kind(), t.width(), t.patchSize());
    }
}
