package dev.sdcond.ipadapter;

import dev.sdcond.ipadapter.image.RgbImage;

/** How the unconditional (negative) image embeddings are made. */
public sealed interface Uncond {
    /** All zeros, shaped like the conditional outputs (diffusers' IP-Adapter: {@code zeros_like(image_embeds)}). */
    record Zeros() implements Uncond {}

    /** The encoding of all-zero pixel_values (diffusers' IP-Adapter Plus: {@code encoder(zeros_like(pixels))}). */
    record ZeroPixels() implements Uncond {}

    /** The encoding of a black image, preprocessed like any image (ComfyUI_IPAdapter_plus). */
    record Black() implements Uncond {}

    /** The encoding of the user's negative image. */
    record Image(RgbImage image) implements Uncond {}

    /**
     * The negative input a user names.
     *
     * @param spec {@code zeros}, {@code zero-pixels}, {@code black} (any case) or an image file
     * @param loader how an image file is decoded
     * @return the choice
     * @throws dev.sdcond.models.InvalidInputException for an image file that cannot be read or decoded
     */
    public static Uncond parse(String spec, dev.sdcond.ipadapter.image.ImageLoader loader) {
        return switch (spec.toLowerCase(java.util.Locale.ROOT)) {
            case "zeros" -> new Zeros();
            case "zero-pixels" -> new ZeroPixels();
            case "black" -> new Black();
            default -> new Image(loader.load(java.nio.file.Path.of(spec)));
        };
    }

    /**
     * The image file a spec names, if it names one (what {@link #parse} reads).
     *
     * @param spec as for {@link #parse}
     * @return the file, or empty for {@code zeros}, {@code zero-pixels} and {@code black}
     */
    public static java.util.Optional<java.nio.file.Path> imageFile(String spec) {
        return java.util.List.of("zeros", "zero-pixels", "black").contains(spec.toLowerCase(java.util.Locale.ROOT))
                ? java.util.Optional.empty() : java.util.Optional.of(java.nio.file.Path.of(spec));
    }
}
