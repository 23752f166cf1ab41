package dev.sdcond.models.config;

/**
 * The configs of the CLIP towers that Stable Diffusion and IP-Adapter use, as their Hugging Face / diffusers
 * {@code config.json} files give them.
 */
public final class ClipFamilies {
    private ClipFamilies() {}

    /** OpenAI CLIP ViT-L/14 text tower: SD1.x {@code text_encoder}, SDXL {@code text_encoder}. */
    public static final CLIPTextConfig CLIP_L_TEXT = new CLIPTextConfig(49408, 768, 3072, 768, 12, 12, 77,
            Activation.QUICK_GELU, 1e-5, 1, 0, 2);

    /**
     * OpenCLIP ViT-H/14 text tower (laion2b), all 24 layers: SD2.x. diffusers ships it cut to 23 layers, since SD2
     * uses the penultimate layer.
     */
    public static final CLIPTextConfig OPENCLIP_H_TEXT = new CLIPTextConfig(49408, 1024, 4096, 1024, 24, 16, 77,
            Activation.GELU, 1e-5, 1, 0, 2);

    /** OpenCLIP ViT-bigG/14 text tower: SDXL {@code text_encoder_2} (with {@code text_projection}). */
    public static final CLIPTextConfig OPENCLIP_BIGG_TEXT = new CLIPTextConfig(49408, 1280, 5120, 1280, 32, 20, 77,
            Activation.GELU, 1e-5, 1, 0, 2);

    /** OpenCLIP ViT-H/14 vision tower: the IP-Adapter {@code image_encoder} for SD1.5 and the Plus models. */
    public static final CLIPVisionConfig OPENCLIP_H_VISION = new CLIPVisionConfig(1280, 5120, 1024, 32, 16, 3, 224, 14,
            Activation.GELU, 1e-5);

    /** OpenCLIP ViT-bigG/14 vision tower: the image encoder of {@code ip-adapter_sdxl}. */
    public static final CLIPVisionConfig OPENCLIP_BIGG_VISION = new CLIPVisionConfig(1664, 8192, 1280, 48, 16, 3, 224,
            14, Activation.GELU, 1e-5);
}
