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
 * the tower in one forward pass; the unconditional input, when it needs encoding, is encoded once in a pass of its own
 * and kept, per layer and negative, for every later call (so an image's embeddings depend only on its batch's images,
 * never on whether a negative was asked for). Safe to share between threads.
 */
public final class ImageEncoder {
    private final ClipVisionModel tower;
    private final ClipImageProcessor processor;
    /** The encoded negative of a layer: its embeddings and hidden state, one row each, on the host. */
    private final java.util.Map<UncondKey, UncondRows> uncondCache = new java.util.concurrent.ConcurrentHashMap<>();

    /** A negative's outputs at a layer ({@link Uncond.Image}: that image instance). */
    private record UncondKey(int layer, Uncond uncond) {}

    /** One row of each output, as float32 values and shapes. */
    private record UncondRows(dev.sdcond.models.FloatTensor embeds, dev.sdcond.models.FloatTensor hidden) {}

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
        try (NDManager sub = manager.newSubManager()) {
            NDArray pixels = pixelValues(sub, images);
            NDArray[] cond = forward(sub, pixels, layer); // {embeds or null, hidden}
            NDArray[] neg = {null, null};
            if (uncond instanceof Uncond.Zeros) {
                neg = new NDArray[] {cond[0] == null ? null : cond[0].zerosLike(), cond[1].zerosLike()};
            } else if (uncond != null) {
                UncondRows rows = uncondCache.computeIfAbsent(new UncondKey(layer, uncond), k -> encodeUncond(k));
                neg = new NDArray[] {repeated(sub, rows.embeds(), images.size(), cond[1].getDevice()),
                    repeated(sub, rows.hidden(), images.size(), cond[1].getDevice())};
            }
            List<NDArray> results = new ArrayList<>();
            for (NDArray a : new NDArray[] {cond[0], cond[1], pixels, neg[0], neg[1]}) {
                if (a != null) {
                    a.attach(manager);
                }
                results.add(a);
            }
            return new ImageEmbeddings(results.get(0), results.get(1), layer, results.get(2), results.get(3),
                    results.get(4));
        }
    }

    /** {projected embeddings (null without a projection), hidden_states[layer]}, float32. */
    private NDArray[] forward(NDManager m, NDArray pixels, int layer) {
        ClipOutput out = tower.forward(m, pixels, OutputRequest.hiddenStates(layer).withPooledVectors());
        return new NDArray[] {out.hasProjected() ? out.projected().toType(DataType.FLOAT32, false) : null,
            out.hiddenState(layer).toType(DataType.FLOAT32, false)};
    }

    /** The negative's outputs: its own forward pass of one row, so that no image's batch depends on it. */
    private UncondRows encodeUncond(UncondKey key) {
        try (NDManager m = NDManager.newBaseManager(dev.sdcond.models.Towers.ENGINE)) {
            NDArray[] out = forward(m, uncondPixels(m, key.uncond()), key.layer());
            return new UncondRows(firstRow(out[0]), firstRow(out[1]));
        }
    }

    private static dev.sdcond.models.FloatTensor firstRow(NDArray rows) {
        return rows == null ? null : dev.sdcond.models.FloatTensor.of(rows.get("0:1"));
    }

    /** [n, ...] copies of a kept row, on the tower's device. */
    private static NDArray repeated(NDManager m, dev.sdcond.models.FloatTensor row, int n, ai.djl.Device device) {
        if (row == null) {
            return null;
        }
        NDArray one = m.create(row.values(), new Shape(row.shape())).toDevice(device, false);
        long[] reps = new long[row.shape().length];
        java.util.Arrays.fill(reps, 1);
        reps[0] = n;
        return one.tile(reps);
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
