package dev.sdcond.models.registry;

import dev.sdcond.models.config.Activation;
import dev.sdcond.models.config.CLIPTextConfig;
import dev.sdcond.models.config.CLIPVisionConfig;
import dev.sdcond.models.layout.TowerKind;
import java.util.Arrays;
import java.util.Optional;

/**
 * The CLIP towers Stable Diffusion and IP-Adapter use: the one place that knows their sizes, activations, padding and
 * pooling rules. Loading derives configs from it when a checkpoint has none, presets name their encoders by it, and
 * {@code inspect} and the IP-Adapter check describe towers with it.
 *
 * <p>Text families pool at the argmax of the ids (their configs' {@code eos_token_id} is 2, transformers' legacy rule)
 * and use {@code width / 64} heads.
 */
public enum ClipFamily {
    /** OpenAI CLIP ViT-L/14 text tower: SD1.x {@code text_encoder}, SDXL {@code text_encoder}, Flux's pooled CLIP. */
    CLIP_L_TEXT("CLIP-L", new CLIPTextConfig(49408, 768, 3072, 768, 12, 12, 77, Activation.QUICK_GELU, 1e-5, 1, 0,
            2), 49407, 12),
    /**
     * OpenCLIP ViT-H/14 text tower (laion2b), all 24 layers: SD2.x. diffusers ships it cut to 23 layers, since SD2 uses
     * the penultimate layer.
     */
    OPENCLIP_H_TEXT("OpenCLIP-H", new CLIPTextConfig(49408, 1024, 4096, 1024, 24, 16, 77, Activation.GELU, 1e-5, 1, 0,
            2), 0, 23),
    /** OpenCLIP ViT-bigG/14 text tower: SDXL {@code text_encoder_2} (with {@code text_projection}). */
    OPENCLIP_BIGG_TEXT("OpenCLIP-bigG", new CLIPTextConfig(49408, 1280, 5120, 1280, 32, 20, 77, Activation.GELU, 1e-5,
            1, 0, 2), 0, 32),
    /** OpenAI CLIP ViT-B vision towers (any patch size): 12 heads. */
    CLIP_B_VISION("CLIP ViT-B", new CLIPVisionConfig(768, 3072, 512, 12, 12, 3, 224, 32, Activation.QUICK_GELU, 1e-5),
            0),
    /** OpenAI CLIP ViT-L/14 vision tower (image_embeds 768). */
    CLIP_L_VISION("CLIP ViT-L/14", new CLIPVisionConfig(1024, 4096, 768, 24, 16, 3, 224, 14, Activation.QUICK_GELU,
            1e-5), 14),
    /** OpenCLIP ViT-H/14 vision tower: the IP-Adapter {@code image_encoder} for SD1.5 and the Plus models. */
    OPENCLIP_H_VISION("OpenCLIP ViT-H/14", new CLIPVisionConfig(1280, 5120, 1024, 32, 16, 3, 224, 14, Activation.GELU,
            1e-5), 14),
    /** OpenCLIP ViT-bigG/14 vision tower: the image encoder of {@code ip-adapter_sdxl}. */
    OPENCLIP_BIGG_VISION("OpenCLIP ViT-bigG/14", new CLIPVisionConfig(1664, 8192, 1280, 48, 16, 3, 224, 14,
            Activation.GELU, 1e-5), 14);

    private final String displayName;
    private final CLIPTextConfig text;
    private final CLIPVisionConfig vision;
    private final long padId;
    private final int shippedLayers;
    private final int patch;

    ClipFamily(String displayName, CLIPTextConfig text, long padId, int shippedLayers) {
        this.displayName = displayName;
        this.text = text;
        this.vision = null;
        this.padId = padId;
        this.shippedLayers = shippedLayers;
        this.patch = 0;
    }

    ClipFamily(String displayName, CLIPVisionConfig vision, int patch) {
        this.displayName = displayName;
        this.text = null;
        this.vision = vision;
        this.padId = 0;
        this.shippedLayers = vision.numHiddenLayers();
        this.patch = patch;
    }

    /**
     * The family's name as users know it.
     *
     * @return e.g. {@code CLIP-L} or {@code OpenCLIP ViT-H/14}
     */
    public String displayName() {
        return displayName;
    }

    /**
     * Whether this is a text or a vision tower.
     *
     * @return the tower kind
     */
    public TowerKind kind() {
        return text != null ? TowerKind.TEXT : TowerKind.VISION;
    }

    /**
     * The full model's text config.
     *
     * @return the config, as the model's {@code config.json} gives it
     * @throws IllegalStateException for a vision family
     */
    public CLIPTextConfig textConfig() {
        if (text == null) {
            throw new IllegalStateException(this + " is a vision family");
        }
        return text;
    }

    /**
     * The full model's vision config.
     *
     * @return the config, as the model's {@code config.json} gives it
     * @throws IllegalStateException for a text family
     */
    public CLIPVisionConfig visionConfig() {
        if (vision == null) {
            throw new IllegalStateException(this + " is a text family");
        }
        return vision;
    }

    /**
     * The hidden width.
     *
     * @return 768 for CLIP-L text, 1280 for ViT-H vision, ...
     */
    public int width() {
        return text != null ? text.hiddenSize() : vision.hiddenSize();
    }

    /**
     * The projection width ({@code text_embeds} / {@code image_embeds}).
     *
     * @return the projection's output width
     */
    public int projection() {
        return text != null ? text.projectionDim() : vision.projectionDim();
    }

    /**
     * The layers of the full model.
     *
     * @return 12 for CLIP-L text, 24 for OpenCLIP-H text, ...
     */
    public int layers() {
        return text != null ? text.numHiddenLayers() : vision.numHiddenLayers();
    }

    /**
     * The token a text prompt is padded with: EOS for OpenAI CLIP-L (as its tokenizer does), 0 for OpenCLIP.
     *
     * @return the padding id
     */
    public long padId() {
        return padId;
    }

    /**
     * The depth of a checkpoint of this family that was cut short: diffusers ships SD2's 24-layer text encoder with
     * 23 layers. A tower of this width and this depth counts layers from the full model's end.
     *
     * @return the depth such checkpoints have (equal to {@link #layers()} when none is cut)
     */
    public int shippedLayers() {
        return shippedLayers;
    }

    /**
     * The family of a tower of this kind and width, when it is a known one.
     *
     * @param kind text or vision
     * @param width the tower's hidden width
     * @return the family, or empty
     */
    public static Optional<ClipFamily> of(TowerKind kind, int width) {
        return Arrays.stream(values()).filter(f -> f.kind() == kind && f.width() == width).findFirst();
    }

    /**
     * The attention heads of a tower of this kind and width that comes without a config: text towers use
     * {@code width / 64}, vision towers their family's count.
     *
     * @param kind text or vision
     * @param width the tower's hidden width
     * @return the head count, or empty for an unknown vision width or a text width not divisible by 64
     */
    public static Optional<Integer> headsFor(TowerKind kind, int width) {
        if (kind == TowerKind.TEXT) {
            return width % 64 == 0 ? Optional.of(width / 64) : Optional.empty();
        }
        return of(kind, width).map(f -> f.vision.numAttentionHeads());
    }

    /**
     * The activation of a tower in the Hugging Face layout that comes without a config: OpenAI CLIP's quick_gelu for
     * its families (as SD1.x and SDXL files ship CLIP-L), GELU otherwise (OpenCLIP towers converted to that layout
     * come with configs of their own).
     *
     * @param kind text or vision
     * @param width the tower's hidden width
     * @param patchSize the vision tower's patch size (ignored for text)
     * @return the activation
     */
    public static Activation hfLayoutActivation(TowerKind kind, int width, int patchSize) {
        return of(kind, width).filter(f -> f.kind() == TowerKind.TEXT || f.patch == 0 || f.patch == patchSize)
                .map(f -> f.text != null ? f.text.hiddenAct() : f.vision.hiddenAct())
                .orElse(Activation.GELU);
    }

    /**
     * The vision families' widths, for messages.
     *
     * @return e.g. "768, 1024, 1280, 1664"
     */
    public static String visionWidths() {
        return String.join(", ", Arrays.stream(values()).filter(f -> f.kind() == TowerKind.VISION)
                .map(f -> String.valueOf(f.width())).toList());
    }
}
