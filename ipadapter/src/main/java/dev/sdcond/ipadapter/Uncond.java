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
}
