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
 * <p>Images come as files, bytes, {@code BufferedImage}s or {@link RgbImage}s; {@link #open(ImageRequest)} takes every
 * choice ({@link ImageRequest#builder()}). The encoded negative is computed once per instance and reused.
 * Thread-safe: any number of threads may encode at once.
 */
public final class ImageConditioning implements AutoCloseable {
    /** IP-Adapter Plus takes the penultimate layer. */
    public static final int PENULTIMATE = ImageRequest.PENULTIMATE;

    private final LoadedVisionModel model;
    private final ImageEncoder encoder;
    private final ImageLoader loader;
    private final Uncond uncond;
    private final int layer;
    private volatile boolean closed;

    private ImageConditioning(LoadedVisionModel model, ImageEncoder encoder, ImageLoader loader, Uncond uncond,
            int layer) {
        this.model = model;
        this.encoder = encoder;
        this.loader = loader;
        this.uncond = uncond;
        this.layer = layer;
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
        return open(ImageRequest.builder().setModel(model.toString()).optUncond("zero-pixels").build());
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
        LoadedVisionModel m = VisionModels.open(model, compute);
        return new ImageConditioning(m, new ImageEncoder(m.tower()), ImageLoader.DEFAULT, uncond, PENULTIMATE);
    }

    /**
     * Opens what a request names on the CPU.
     *
     * @param request the encoder, preprocessing, layer, negative and compute choices
     * @return the loaded encoder; close it to free its weights
     * @throws dev.sdcond.models.InvalidInputException for a missing or malformed model, a layer it does not have, or
     *     a negative image that cannot be decoded
     */
    public static ImageConditioning open(ImageRequest request) {
        return open(request, ai.djl.Device.cpu());
    }

    /**
     * Opens what a request names on a device.
     *
     * @param request the encoder, preprocessing, layer, negative and compute choices
     * @param device where the tower runs
     * @return the loaded encoder; close it to free its weights
     * @throws dev.sdcond.models.InvalidInputException for a missing or malformed model, a layer it does not have, or
     *     a negative image that cannot be decoded
     */
    public static ImageConditioning open(ImageRequest request, ai.djl.Device device) {
        Uncond negative = request.negative().orElse(null); // decoded before the model loads
        LoadedVisionModel m = VisionModels.open(request.model(), request.compute(device));
        try {
            dev.sdcond.models.clip.OutputRequest.normalize(request.layer(), m.tower().numLayers());
            ImageEncoder e = new ImageEncoder(m.tower(), request.processor(m.tower().config().imageSize()));
            return new ImageConditioning(m, e, request.loader(), negative, request.layer());
        } catch (RuntimeException e) {
            m.close();
            throw e;
        }
    }

    /**
     * Encodes image files (one batch).
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
        return encodeRgb(decoded);
    }

    /**
     * Encodes images an application decoded (one batch), converted as Pillow's {@code convert("RGB")} would.
     *
     * @param images the images
     * @return their embeddings, in the order given
     * @throws dev.sdcond.models.InvalidInputException for an image over the pixel limit (names its index)
     */
    public Result encodeImages(List<java.awt.image.BufferedImage> images) {
        List<RgbImage> rgb = new ArrayList<>();
        for (int i = 0; i < images.size(); i++) {
            rgb.add(loader.convert(images.get(i), "image " + i));
        }
        return encodeRgb(rgb);
    }

    /**
     * Encodes image files' bytes (one batch: an upload, a database blob).
     *
     * @param images the files' bytes (PNG, JPEG, WebP, BMP, GIF)
     * @return their embeddings, in the order given
     * @throws dev.sdcond.models.InvalidInputException for bytes that are no image (names their index)
     */
    public Result encodeBytes(List<byte[]> images) {
        List<RgbImage> rgb = new ArrayList<>();
        for (int i = 0; i < images.size(); i++) {
            rgb.add(loader.decode(Path.of("image " + i), images.get(i)));
        }
        return encodeRgb(rgb);
    }

    /**
     * Encodes RGB pixels (one batch).
     *
     * @param images the images
     * @return their embeddings, in the order given
     * @throws dev.sdcond.models.InvalidInputException for an empty batch, or after {@link #close()}
     */
    public Result encodeRgb(List<RgbImage> images) {
        if (closed) {
            throw new dev.sdcond.models.InvalidInputException("this ImageConditioning is closed");
        }
        if (images.isEmpty()) {
            throw new dev.sdcond.models.InvalidInputException("no images to encode");
        }
        try (NDManager m = NDManager.newBaseManager(Towers.ENGINE)) {
            ImageEmbeddings e = encoder.encode(m, images, layer, uncond);
            return new Result(FloatTensor.of(e.imageEmbeds()), FloatTensor.of(e.hiddenStates()),
                    FloatTensor.of(e.uncondImageEmbeds()), FloatTensor.of(e.uncondHiddenStates()));
        }
    }

    /**
     * The embeddings of a batch of images as plain arrays.
     *
     * @param imageEmbeds [B, P] (IP-Adapter), or null for an encoder without a projection
     * @param hiddenStates [B, T, W] the hidden state asked for (the penultimate by default: IP-Adapter Plus)
     * @param uncondImageEmbeds the negative's, like {@code imageEmbeds}; null without a negative
     * @param uncondHiddenStates the negative's, like {@code hiddenStates}; null without a negative
     */
    public record Result(FloatTensor imageEmbeds, FloatTensor hiddenStates, FloatTensor uncondImageEmbeds,
            FloatTensor uncondHiddenStates) {}

    @Override
    public void close() {
        closed = true;
        model.close();
    }
}
