package dev.sdcond.ipadapter;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.sdcond.ipadapter.image.RgbImage;
import dev.sdcond.ipadapter.preprocess.ClipImageProcessor;
import dev.sdcond.models.clip.ClipOutput;
import dev.sdcond.models.clip.ClipVisionModel;
import dev.sdcond.models.clip.OutputRequest;
import java.util.ArrayList;
import java.util.List;

/**
 * A CLIP vision tower with its preprocessing: images in, IP-Adapter embeddings out. A batch of images goes through
 * the tower in one forward pass (the unconditional input, when it needs encoding, in the same pass). Immutable and
 * safe to share between threads.
 */
public final class ImageEncoder {
    private final ClipVisionModel tower;
    private final ClipImageProcessor processor;

    /**
     * An encoder with its preprocessing.
     *
     * @param tower the vision tower
     * @param processor the preprocessing, at the tower's image size
     * @throws IllegalArgumentException when the sizes differ
     */
    public ImageEncoder(ClipVisionModel tower, ClipImageProcessor processor) {
        if (processor.size() != tower.config().imageSize()) {
            throw new IllegalArgumentException("the processor makes " + processor.size() + "px images, the encoder takes "
                    + tower.config().imageSize() + "px");
        }
        this.tower = tower;
        this.processor = processor;
    }

    /**
     * With transformers' default preprocessing at the tower's image size.
     *
     * @param tower the vision tower
     */
    public ImageEncoder(ClipVisionModel tower) {
        this(tower, ClipImageProcessor.hf(tower.config().imageSize()));
    }

    /**
     * The vision tower.
     *
     * @return the tower
     */
    public ClipVisionModel tower() {
        return tower;
    }

    /**
     * [B, 3, S, S] pixel values of the images, in {@code manager}.
     *
     * @param manager where the array is made
     * @param images the images
     * @return [B, 3, S, S]
     */
    public NDArray pixelValues(NDManager manager, List<RgbImage> images) {
        int s = processor.size();
        float[] all = new float[images.size() * 3 * s * s];
        for (int i = 0; i < images.size(); i++) {
            System.arraycopy(processor.pixelValues(images.get(i)), 0, all, i * 3 * s * s, 3 * s * s);
        }
        return manager.create(all, new Shape(images.size(), 3, s, s));
    }

    /**
     * Encodes images.
     *
     * @param layer the hidden_states index to return (-2: IP-Adapter Plus's penultimate layer)
     * @param uncond how to make the negative embeddings, or null for none
     * @param manager where the results are attached
     * @param images the images (one batch)
     * @return their embeddings
     */
    public ImageEmbeddings encode(NDManager manager, List<RgbImage> images, int layer, Uncond uncond) {
        if (images.isEmpty()) {
            throw new IllegalArgumentException("no images");
        }
        ImageBatchPlan plan = new ImageBatchPlan(images.size(), uncond);
        try (NDManager sub = manager.newSubManager()) {
            NDArray pixels = pixelValues(sub, images);
            NDArray input = plan.input(pixels, plan.encodesUncond() ? uncondPixels(sub, uncond) : null);
            ClipOutput out = tower.forward(sub, input, OutputRequest.hiddenStates(layer).withPooledVectors());
            NDArray[] hidden = plan.split(out.hiddenState(layer).toType(DataType.FLOAT32, false));
            NDArray[] embeds = plan.split(out.hasProjected() ? out.projected().toType(DataType.FLOAT32, false) : null);
            List<NDArray> results = new ArrayList<>();
            for (NDArray a : new NDArray[] {embeds[0], hidden[0], pixels, embeds[1], hidden[1]}) {
                if (a != null) {
                    a.attach(manager);
                }
                results.add(a);
            }
            return new ImageEmbeddings(results.get(0), results.get(1), layer, results.get(2), results.get(3),
                    results.get(4));
        }
    }

    /** [1, 3, S, S]: zeros, or the preprocessed black or negative image. */
    private NDArray uncondPixels(NDManager m, Uncond u) {
        int s = processor.size();
        if (u instanceof Uncond.ZeroPixels) {
            return m.zeros(new Shape(1, 3, s, s));
        }
        RgbImage img = u instanceof Uncond.Image i ? i.image() : RgbImage.filled(s, s, 0, 0, 0);
        return pixelValues(m, List.of(img));
    }
}
