package dev.sdcond.ipadapter;

import ai.djl.ndarray.NDManager;
import dev.sdcond.ipadapter.image.ImageLoader;
import dev.sdcond.ipadapter.image.RgbImage;
import dev.sdcond.models.Compute;
import dev.sdcond.models.FloatTensor;
import dev.sdcond.models.Towers;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * IP-Adapter image embeddings in one call, with plain Java results: load an image encoder once, then
 * {@code encode(images)}. No DJL type reaches the caller ({@link FloatTensor}s), and each call frees its native
 * memory when it returns.
 *
 * <pre>{@code
 * try (ImageConditioning enc = ImageConditioning.open(Path.of("/models/IP-Adapter/models/image_encoder"))) {
 *     ImageConditioning.Result r = enc.encode(List.of(Path.of("cat.jpg")));
 *     r.imageEmbeds();    // [1, 1024]       IP-Adapter
 *     r.hiddenStates();   // [1, 257, 1280]  IP-Adapter Plus (penultimate layer)
 * }
 * }</pre>
 *
 * <p>Thread-safe: any number of threads may call {@link #encode} at once.
 */
public final class ImageConditioning implements AutoCloseable {
    /** IP-Adapter Plus takes the penultimate layer. */
    public static final int PENULTIMATE = -2;

    private final LoadedVisionModel model;
    private final ImageEncoder encoder;
    private final ImageLoader loader;
    private final Uncond uncond;

    private ImageConditioning(LoadedVisionModel model, ImageLoader loader, Uncond uncond) {
        this.model = model;
        this.encoder = new ImageEncoder(model.tower());
        this.loader = loader;
        this.uncond = uncond;
    }

    /**
     * Opens an image encoder (a Hugging Face folder, an IP-Adapter repository or diffusers pipeline folder, an
     * OpenCLIP file, or {@code builtin:NAME}) on the CPU in float32, with transformers' preprocessing and diffusers'
     * IP-Adapter Plus negative (the encoding of zero pixels).
     *
     * @param model the encoder's folder or file
     * @return the loaded encoder; close it to free its weights
     * @throws dev.sdcond.models.InvalidInputException for a missing or malformed model (names the file)
     * @throws dev.sdcond.models.ModelMismatchException for a checkpoint without an image encoder
     */
    public static ImageConditioning open(Path model) {
        return open(model.toString(), Compute.CPU, new Uncond.ZeroPixels());
    }

    /**
     * Opens an image encoder with every choice explicit.
     *
     * @param model a folder, a file or {@code builtin:NAME}
     * @param compute device and dtype
     * @param uncond how the negative embeddings are made ({@link Uncond.Zeros} for diffusers' IP-Adapter,
     *     {@link Uncond.ZeroPixels} for its Plus models, {@link Uncond.Black} for ComfyUI_IPAdapter_plus)
     * @return the loaded encoder; close it to free its weights
     */
    public static ImageConditioning open(String model, Compute compute, Uncond uncond) {
        return new ImageConditioning(VisionModels.open(model, compute), ImageLoader.DEFAULT, uncond);
    }

    /**
     * Encodes images (one batch).
     *
     * @param images image files (PNG, JPEG, WebP, BMP, GIF)
     * @return their embeddings, in the order given
     * @throws dev.sdcond.models.InvalidInputException for an image that cannot be read (names the file)
     */
    public Result encode(List<Path> images) {
        List<RgbImage> decoded = new ArrayList<>();
        for (Path p : images) {
            decoded.add(loader.load(p));
        }
        try (NDManager m = NDManager.newBaseManager(Towers.ENGINE)) {
            ImageEmbeddings e = encoder.encode(m, decoded, PENULTIMATE, uncond);
            return new Result(FloatTensor.of(e.imageEmbeds()), FloatTensor.of(e.hiddenStates()),
                    FloatTensor.of(e.uncondImageEmbeds()), FloatTensor.of(e.uncondHiddenStates()));
        }
    }

    /**
     * The embeddings of a batch of images as plain arrays.
     *
     * @param imageEmbeds [B, P] (IP-Adapter), or null for an encoder without a projection
     * @param hiddenStates [B, T, W] penultimate hidden states (IP-Adapter Plus)
     * @param uncondImageEmbeds the negative's, like {@code imageEmbeds}
     * @param uncondHiddenStates the negative's, like {@code hiddenStates}
     */
    public record Result(FloatTensor imageEmbeds, FloatTensor hiddenStates, FloatTensor uncondImageEmbeds,
            FloatTensor uncondHiddenStates) {}

    @Override
    public void close() {
        model.close();
    }
}
