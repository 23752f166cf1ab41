package dev.sdcond.ipadapter;

import dev.sdcond.ipadapter.image.AlphaMode;
import dev.sdcond.ipadapter.image.ImageLoader;
import dev.sdcond.ipadapter.preprocess.ClipImageProcessor;
import dev.sdcond.ipadapter.preprocess.CropPosition;
import dev.sdcond.ipadapter.preprocess.ResizeMode;
import dev.sdcond.models.AttentionKernel;
import dev.sdcond.models.Compute;
import dev.sdcond.models.InvalidInputException;
import dev.sdcond.models.LinearKernel;
import dev.sdcond.models.Precision;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * Everything that decides the image embeddings of an image: the encoder, how images are decoded and preprocessed, the
 * hidden state kept, the negative, and the compute dtype and kernels. One immutable, validated value that the command
 * line, the Spark job and the library build (with {@link #builder()}) and run; where it runs is given when it is
 * opened.
 *
 * @param model the image encoder: a folder, a diffusers pipeline or IP-Adapter repository folder, an OpenCLIP file, or
 *     {@code builtin:NAME}
 * @param mode the resize mode (transformers' by default; ComfyUI's CLIPVisionEncode with {@code COMFY})
 * @param crop the crop position for {@link ResizeMode#HF}
 * @param layer the hidden state kept: -2 (the penultimate, IP-Adapter Plus's input), or an index (negative from the
 *     end)
 * @param uncond the negative: {@code zeros}, {@code zero-pixels}, {@code black} or an image file; empty for none
 * @param alpha what happens to an alpha channel
 * @param maxPixels larger images are refused (Pillow's limit by default)
 * @param dtype the dtype the tower computes in
 * @param attention the attention kernel
 * @param linear the kernel of the projections' products
 * @serial exclude
 */
public record ImageRequest(String model, ResizeMode mode, CropPosition crop, int layer, Optional<String> uncond,
        AlphaMode alpha, long maxPixels, Precision dtype, AttentionKernel attention, LinearKernel linear)
        implements java.io.Serializable {

    /** The hidden state IP-Adapter Plus takes. */
    public static final int PENULTIMATE = -2;

    /**
     * Checks every value; an image file named as the negative must exist (it is decoded when the request is opened).
     *
     * @param model see the record's
     * @param mode see the record's
     * @param crop see the record's
     * @param layer see the record's
     * @param uncond see the record's
     * @param alpha see the record's
     * @param maxPixels see the record's
     * @param dtype see the record's
     * @param attention see the record's
     * @param linear see the record's
     * @throws InvalidInputException naming the bad value
     */
    public ImageRequest {
        Objects.requireNonNull(model, "model");
        Objects.requireNonNull(mode, "mode");
        Objects.requireNonNull(crop, "crop");
        Objects.requireNonNull(uncond, "uncond");
        Objects.requireNonNull(alpha, "alpha");
        Objects.requireNonNull(dtype, "dtype");
        Objects.requireNonNull(attention, "attention");
        Objects.requireNonNull(linear, "linear");
        if (model.isBlank()) {
            throw new InvalidInputException("no image encoder given");
        }
        if (maxPixels < 1) {
            throw new InvalidInputException("the pixel limit must be 1 or more, is " + maxPixels);
        }
        uncond = uncond.map(u -> u.toLowerCase(Locale.ROOT).matches("zeros|zero-pixels|black")
                ? u.toLowerCase(Locale.ROOT) : u);
        uncond.flatMap(Uncond::imageFile).ifPresent(dev.sdcond.models.io.InputFiles::requireFile);
    }

    /**
     * A builder with the defaults: transformers' preprocessing (shortest edge, center crop), the penultimate hidden
     * state, no negative, alpha dropped, Pillow's pixel limit, float32, fused attention, {@code auto} products.
     *
     * @return the builder; {@link ImageRequestBuilder#setModel} is required
     */
    public static ImageRequestBuilder builder() {
        return new ImageRequestBuilder();
    }

    /**
     * A builder holding this request's values, to change some.
     *
     * @return the builder
     */
    public ImageRequestBuilder toBuilder() {
        return new ImageRequestBuilder(this);
    }

    /**
     * The compute choice on a device.
     *
     * @param device where the tower runs
     * @return the choice
     */
    public Compute compute(ai.djl.Device device) {
        return new Compute(device, dtype, attention, linear);
    }

    /**
     * How image files are decoded: the alpha rule and the pixel limit.
     *
     * @return the loader
     */
    public ImageLoader loader() {
        return ImageLoader.DEFAULT.withAlpha(alpha).withMaxPixels(maxPixels);
    }

    /**
     * The preprocessing at an encoder's image size.
     *
     * @param imageSize the tower's input size
     * @return the processor
     */
    public ClipImageProcessor processor(int imageSize) {
        return ClipImageProcessor.hf(imageSize).withMode(mode).withCrop(crop);
    }

    /**
     * The negative, its image decoded now.
     *
     * @return the negative, or empty for none
     * @throws InvalidInputException for a negative image that cannot be decoded
     */
    public Optional<Uncond> negative() {
        return uncond.map(u -> Uncond.parse(u, loader()));
    }

    /**
     * The settings as words, for output metadata and Spark column metadata.
     *
     * @return name to value, in a fixed order
     */
    public Map<String, String> describe() {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("model", model);
        m.put("mode", mode.name().toLowerCase(Locale.ROOT).replace('_', '-'));
        m.put("crop", crop.name().toLowerCase(Locale.ROOT));
        m.put("layer", String.valueOf(layer));
        m.put("uncond", uncond.orElse("none"));
        m.put("alpha", alpha.composite() ? String.format("%06x", alpha.background()) : "drop");
        m.put("max_pixels", String.valueOf(maxPixels));
        m.put("dtype", dtype.toString());
        m.put("attention", attention.name().toLowerCase(Locale.ROOT));
        m.put("linear", linear.name().toLowerCase(Locale.ROOT));
        return m;
    }

    /**
     * Serialized as its values with the negative as a string (an {@code Optional} is not serializable), so that Spark
     * can ship it to executors.
     *
     * @return the serial form
     */
    private Object writeReplace() {
        return new Form(this);
    }

    /** The serial form. */
    private static final class Form implements java.io.Serializable {
        private static final long serialVersionUID = 1L;
        private final String model;
        private final ResizeMode mode;
        private final CropPosition crop;
        private final int layer;
        private final String uncond;
        private final boolean composite;
        private final int background;
        private final long maxPixels;
        private final Precision dtype;
        private final AttentionKernel attention;
        private final LinearKernel linear;

        Form(ImageRequest r) {
            model = r.model;
            mode = r.mode;
            crop = r.crop;
            layer = r.layer;
            uncond = r.uncond.orElse(null);
            composite = r.alpha.composite();
            background = r.alpha.background();
            maxPixels = r.maxPixels;
            dtype = r.dtype;
            attention = r.attention;
            linear = r.linear;
        }

        private Object readResolve() {
            return new ImageRequest(model, mode, crop, layer, Optional.ofNullable(uncond),
                    new AlphaMode(composite, background), maxPixels, dtype, attention, linear);
        }
    }
}
