package dev.sdcond.models.registry;

import java.util.Arrays;
import java.util.List;

/**
 * The IP-Adapter models and the image encoder output each takes: the one place that knows which encoder serves which
 * adapter.
 */
public enum ImageAdapterKind {
    /** IP-Adapter for SD1.5 and ip-adapter_sdxl_vit-h: ViT-H/14's {@code image_embeds} [1024]. */
    VIT_H_EMBEDS("IP-Adapter SD1.5 and ip-adapter_sdxl_vit-h", false, ClipFamily.OPENCLIP_H_VISION),
    /** ip-adapter_sdxl: ViT-bigG/14's {@code image_embeds} [1280]. */
    VIT_BIGG_EMBEDS("ip-adapter_sdxl", false, ClipFamily.OPENCLIP_BIGG_VISION),
    /** IP-Adapter Plus for SD1.5 and SDXL: ViT-H/14's penultimate hidden states [257, 1280]. */
    PLUS("IP-Adapter Plus SD1.5/SDXL", true, ClipFamily.OPENCLIP_H_VISION);

    private final String models;
    private final boolean hiddenStates;
    private final ClipFamily encoder;

    ImageAdapterKind(String models, boolean hiddenStates, ClipFamily encoder) {
        this.models = models;
        this.hiddenStates = hiddenStates;
        this.encoder = encoder;
    }

    /**
     * The adapter models of this kind, in words.
     *
     * @return e.g. {@code ip-adapter_sdxl}
     */
    public String models() {
        return models;
    }

    /**
     * Whether the adapter takes the penultimate hidden states (Plus) rather than {@code image_embeds}.
     *
     * @return true for Plus adapters
     */
    public boolean hiddenStates() {
        return hiddenStates;
    }

    /**
     * The image encoder family it was trained with.
     *
     * @return the family
     */
    public ClipFamily encoder() {
        return encoder;
    }

    /**
     * What the adapter takes, in words.
     *
     * @return e.g. {@code image_embeds 1024}
     */
    public String takes() {
        return hiddenStates ? "penultimate hidden states [" + (encoder.visionConfig().numPositions()) + ", "
                + encoder.width() + "]" : "image_embeds " + encoder.projection();
    }

    /**
     * The adapters an image encoder of these sizes serves.
     *
     * @param width its hidden width
     * @param projection its projection width, or -1 for none
     * @return the kinds whose family has this width and projection
     */
    public static List<ImageAdapterKind> servedBy(int width, int projection) {
        return Arrays.stream(values())
                .filter(k -> k.encoder.width() == width && (k.hiddenStates || k.encoder.projection() == projection))
                .toList();
    }

    /**
     * The encoder an adapter needs, in words, from the width it takes.
     *
     * @param hiddenStates whether the adapter takes hidden states
     * @param width the hidden width (Plus) or projection width it takes
     * @return the family's name and the adapters that use it, or the width when no family fits
     */
    public static String encoderFor(boolean hiddenStates, long width) {
        for (ImageAdapterKind k : values()) {
            if (k.hiddenStates == hiddenStates
                    && (hiddenStates ? k.encoder.width() : k.encoder.projection()) == width) {
                return k.encoder.displayName() + ", as for " + k.models;
            }
        }
        for (ClipFamily f : ClipFamily.values()) {
            if (f.kind() == dev.sdcond.models.layout.TowerKind.VISION
                    && (hiddenStates ? f.width() : f.projection()) == width) {
                return f.displayName();
            }
        }
        return hiddenStates ? "a CLIP vision tower of width " + width : "a CLIP vision tower with projection " + width;
    }
}
