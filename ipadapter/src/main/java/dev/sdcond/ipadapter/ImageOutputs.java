package dev.sdcond.ipadapter;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import dev.sdcond.ipadapter.image.ImageLoader;
import dev.sdcond.ipadapter.image.RgbImage;
import dev.sdcond.ipadapter.preprocess.CropPosition;
import dev.sdcond.ipadapter.preprocess.ResizeMode;
import dev.sdcond.models.Compute;
import dev.sdcond.models.safetensors.Provenance;
import dev.sdcond.models.clip.OutputRequest;
import dev.sdcond.models.safetensors.SafetensorsWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.Function;

/**
 * An image output as the README describes it: {@code image_embeds}, the chosen hidden states
 * ({@code penultimate_hidden_states} or {@code hidden_states_layer_N}), their {@code uncond_} forms and optionally
 * {@code pixel_values}, each checked to be finite, with the metadata that says how they were made.
 */
public final class ImageOutputs {
    private ImageOutputs() {}

    /**
     * The output's settings.
     *
     * @param compute where the model ran
     * @param mode the resize mode
     * @param crop the crop position
     * @param layer the hidden_states index asked for
     * @param uncond how the unconditional embeddings were made, as recorded ({@code none}, {@code zeros},
     *     {@code zero-pixels}, {@code black} or the negative image's path)
     * @param savePixels whether {@code pixel_values} are written too
     * @param weightsSha256 the provenance hash ({@link LoadedVisionModel#weightsSha256()}), or
     *     {@link Provenance#NOT_COMPUTED}
     */
    public record Settings(Compute compute, ResizeMode mode, CropPosition crop, int layer, String uncond,
            boolean savePixels, String weightsSha256) {}

    /**
     * The output of encoded images, ready to write.
     *
     * @param vm the model that encoded them
     * @param s the settings
     * @param images the images, in the embeddings' order (recorded in the metadata)
     * @param e their embeddings
     * @return the output
     * @throws dev.sdcond.models.NumericalException when a tensor holds NaN or Inf
     */
    public static SafetensorsWriter of(LoadedVisionModel vm, Settings s, List<Path> images, ImageEmbeddings e) {
        SafetensorsWriter w = new SafetensorsWriter();
        w.metadata("sdcond.version", Provenance.VERSION);
        w.metadata("model", vm.description());
        Provenance.record(w, s.weightsSha256(), vm.tensorsRead());
        w.metadata("mode", s.mode().name().toLowerCase(Locale.ROOT).replace('_', '-'));
        w.metadata("crop", s.crop().name().toLowerCase(Locale.ROOT));
        w.metadata("layer", String.valueOf(s.layer()));
        w.metadata("uncond", s.uncond());
        w.metadata("dtype", s.compute().precision().toString());
        w.metadata("device", s.compute().deviceName());
        w.metadata("kernels", vm.tower().kernels());
        w.metadata("images", String.join(", ", images.stream().map(Path::toString).toList()));
        vm.metadata().forEach(w::metadata);
        String hidden = hiddenStatesName(s.layer() == ImageRequest.PENULTIMATE ? s.layer()
                : OutputRequest.normalize(s.layer(), vm.tower().numLayers()));
        Provenance.addFinite(w, "image_embeds", e.imageEmbeds());
        Provenance.addFinite(w, hidden, e.hiddenStates());
        Provenance.addFinite(w, "uncond_image_embeds", e.uncondImageEmbeds());
        Provenance.addFinite(w, "uncond_" + hidden, e.uncondHiddenStates());
        if (s.savePixels()) {
            Provenance.addFinite(w, "pixel_values", e.pixelValues());
        }
        return w;
    }

    /**
     * The name of a kept hidden state, the one naming rule of every front end: {@code penultimate_hidden_states} for
     * -2, {@code hidden_states_layer_N} for index N.
     *
     * @param layer -2, or an index from 0 (a negative index is counted from the end first)
     * @return the name
     * @throws dev.sdcond.models.InvalidInputException for another negative index, whose number needs the encoder's
     *     depth
     */
    public static String hiddenStatesName(int layer) {
        if (layer == ImageRequest.PENULTIMATE) {
            return "penultimate_hidden_states";
        }
        if (layer < 0) {
            throw new dev.sdcond.models.InvalidInputException("layer " + layer + ": -2 (the penultimate) or an index"
                    + " from 0 (a column name must be known before the encoder is loaded)");
        }
        return "hidden_states_layer_" + layer;
    }

    /**
     * Encodes many image files, {@code batchSize} per forward pass, decoding each group just before it is encoded, so
     * that memory holds one group of decoded images at a time; the results are stacked.
     *
     * @param encoder the encoder
     * @param manager where the results are attached
     * @param loader how files are decoded
     * @param files the images
     * @param layer the hidden_states index
     * @param uncond how to make the negative embeddings, or null for none
     * @param batchSize images per forward pass
     * @param done called with the number of images encoded after each group
     * @return the stacked embeddings
     */
    public static ImageEmbeddings encodeInGroups(ImageEncoder encoder, NDManager manager, ImageLoader loader,
            List<Path> files, int layer, Uncond uncond, int batchSize, java.util.function.IntConsumer done) {
        List<ImageEmbeddings> parts = new ArrayList<>();
        for (int i = 0; i < files.size(); i += batchSize) {
            List<RgbImage> group = new ArrayList<>();
            for (Path f : files.subList(i, Math.min(files.size(), i + batchSize))) {
                group.add(loader.load(f));
            }
            parts.add(encoder.encode(manager, group, layer, uncond));
            done.accept(group.size());
        }
        if (parts.size() == 1) {
            return parts.get(0);
        }
        return new ImageEmbeddings(stack(parts, ImageEmbeddings::imageEmbeds), stack(parts, ImageEmbeddings::hiddenStates),
                layer, stack(parts, ImageEmbeddings::pixelValues), stack(parts, ImageEmbeddings::uncondImageEmbeds),
                stack(parts, ImageEmbeddings::uncondHiddenStates));
    }

    private static NDArray stack(List<ImageEmbeddings> parts, Function<ImageEmbeddings, NDArray> key) {
        List<NDArray> arrays = parts.stream().map(key).toList();
        return arrays.get(0) == null ? null : NDArrays.concat(new NDList(arrays), 0);
    }
}
