package dev.sdcond.cli;

import dev.sdcond.ipadapter.ImageRequest;
import dev.sdcond.ipadapter.ImageRequestBuilder;
import dev.sdcond.ipadapter.image.AlphaMode;
import dev.sdcond.ipadapter.preprocess.CropPosition;
import dev.sdcond.ipadapter.preprocess.ResizeMode;
import picocli.CommandLine.Option;

/**
 * The image options of {@code encode-image} and the Spark job, declared once: they map to an {@link ImageRequest}
 * ({@link #request}), which checks them. The layer is each front end's own ({@code --layer}).
 */
public final class ImageOptions {
    @Option(names = "--mode", defaultValue = "hf", converter = Converters.ResizeModeConverter.class,
            description = "hf (transformers/diffusers: shortest edge + crop, Pillow bicubic), squash, pad, comfy"
                    + " (ComfyUI's CLIPVisionEncode crop=center) or comfy-squash (crop=none) (default: hf)")
    ResizeMode mode = ResizeMode.HF;

    @Option(names = "--crop", defaultValue = "center", converter = Converters.CropConverter.class,
            description = "crop position for hf: center, top, bottom, left, right (default: center)")
    CropPosition crop = CropPosition.CENTER;

    @Option(names = "--uncond", converter = Converters.UncondConverter.class,
            description = "zeros, zero-pixels, black, or an image file for the negative embeddings")
    String uncond;

    @Option(names = "--alpha", defaultValue = "drop", converter = Converters.AlphaConverter.class,
            description = "drop (as Pillow's convert(\"RGB\")) or a hex colour to composite over, e.g. ffffff")
    AlphaMode alpha = AlphaMode.DROP;

    @Option(names = "--max-pixels", converter = Converters.PositiveLong.class,
            description = "refuse larger images (default: Pillow's 89478485)")
    Long maxPixels;

    /**
     * The request these options and the front end's model, layer and kernels make.
     *
     * @param model the image encoder
     * @param layer the hidden state kept
     * @param kernels the dtype and kernels
     * @return the request, checked
     * @throws dev.sdcond.models.InvalidInputException naming a bad value
     */
    public ImageRequest request(String model, int layer, KernelOptions kernels) {
        ImageRequestBuilder b = ImageRequest.builder().setModel(model).optMode(mode).optCrop(crop).optLayer(layer)
                .optAlpha(alpha).optDtype(kernels.dtype).optAttention(kernels.attention).optLinear(kernels.linear);
        if (uncond != null) {
            b.optUncond(uncond);
        }
        if (maxPixels != null) {
            b.optMaxPixels(maxPixels);
        }
        return b.build();
    }

    /**
     * The --uncond value.
     *
     * @return the negative's spec, or null for none
     */
    public String uncond() {
        return uncond;
    }
}
