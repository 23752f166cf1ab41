package dev.sdcond.ipadapter.preprocess;

import dev.sdcond.ipadapter.image.RgbImage;

/**
 * CLIP image preprocessing: resize (Pillow-exact bicubic), crop or pad to {@code size x size}, scale to [0, 1],
 * normalise per channel. Output layout [3, size, size], float32.
 *
 * @param size the encoder's {@code image_size} (224 for every SD IP-Adapter encoder)
 * @param mode how the aspect ratio is handled
 * @param crop where {@link ResizeMode#HF} crops
 * @param mean per-channel mean
 * @param std per-channel standard deviation
 */
public record ClipImageProcessor(int size, ResizeMode mode, CropPosition crop, double[] mean, double[] std) {
    /** OpenAI CLIP's normalisation, used by every SD image encoder. */
    public static final double[] CLIP_MEAN = {0.48145466, 0.4578275, 0.40821073};
    /** OpenAI CLIP's normalisation: the standard deviations. */
    public static final double[] CLIP_STD = {0.26862954, 0.26130258, 0.27577711};

    /**
     * Checks the sizes.
     *
     * @param size the output side
     * @param mode the resize mode
     * @param crop the crop position
     * @param mean per channel
     * @param std per channel
     */
    public ClipImageProcessor {
        if (size <= 0 || mean.length != 3 || std.length != 3) {
            throw new IllegalArgumentException("size > 0 and three means and stds are needed");
        }
        mean = mean.clone();
        std = std.clone();
    }

    /**
     * The default: transformers' processor at {@code size}.
     *
     * @param size the output side
     * @return the processor
     */
    public static ClipImageProcessor hf(int size) {
        return new ClipImageProcessor(size, ResizeMode.HF, CropPosition.CENTER, CLIP_MEAN, CLIP_STD);
    }

    /**
     * This processor with another resize mode.
     *
     * @param m the mode
     * @return the processor
     */
    public ClipImageProcessor withMode(ResizeMode m) {
        return new ClipImageProcessor(size, m, crop, mean, std);
    }

    /**
     * This processor with another crop position.
     *
     * @param c the position
     * @return the processor
     */
    public ClipImageProcessor withCrop(CropPosition c) {
        return new ClipImageProcessor(size, mode, c, mean, std);
    }

    /**
     * The 8-bit square image the encoder sees, before normalisation.
     *
     * @param image the image
     * @return the square image before normalisation
     */
    public RgbImage square(RgbImage image) {
        return switch (mode) {
            case SQUASH -> PillowResize.resize(image, size, size);
            case PAD -> PillowResize.resize(letterbox(image), size, size);
            case COMFY_SQUASH -> image.width() == size && image.height() == size ? image
                    : TorchAaResize.resize(image, size, size);
            case COMFY -> {
                int w = image.width();
                int h = image.height();
                if (w == size && h == size) {
                    yield image;
                }
                double scale = (double) size / Math.min(w, h);
                int nw = (int) Math.rint(scale * w); // Python's round(): halves to even
                int nh = (int) Math.rint(scale * h);
                yield crop(TorchAaResize.resize(image, nw, nh), nw, nh);
            }
            case HF -> {
                int w = image.width();
                int h = image.height();
                int shortSide = Math.min(w, h);
                int longSide = Math.max(w, h);
                int newLong = (int) ((long) size * longSide / shortSide); // int(size * long / short) on integers
                int nw = w <= h ? size : newLong;
                int nh = w <= h ? newLong : size;
                yield crop(PillowResize.resize(image, nw, nh), nw, nh);
            }
        };
    }

    /** The {@code size x size} square of a resized image at the crop position (centre: offsets floor((n - size)/2)). */
    private RgbImage crop(RgbImage r, int nw, int nh) {
        int x = (nw - size) / 2;
        int y = (nh - size) / 2;
        switch (crop) {
            case TOP -> y = 0;
            case BOTTOM -> y = nh - size;
            case LEFT -> x = 0;
            case RIGHT -> x = nw - size;
            default -> { }
        }
        return r.crop(x, y, size, size);
    }

    private static RgbImage letterbox(RgbImage image) {
        int w = image.width();
        int h = image.height();
        if (w == h) {
            return image;
        }
        int side = Math.max(w, h);
        int x0 = (side - w) / 2;
        int y0 = (side - h) / 2;
        byte[] out = new byte[side * side * 3];
        for (int y = 0; y < h; y++) {
            System.arraycopy(image.rgb(), y * w * 3, out, ((y + y0) * side + x0) * 3, w * 3);
        }
        return new RgbImage(side, side, out);
    }

    /**
     * [3, size, size] pixel values: (v / 255 - mean) / std.
     *
     * @param image the image
     * @return [3, S, S] values, channel-major
     */
    public float[] pixelValues(RgbImage image) {
        RgbImage sq = square(image);
        int n = size * size;
        float[] out = new float[3 * n];
        byte[] px = sq.rgb();
        for (int c = 0; c < 3; c++) {
            double m = mean[c];
            double s = std[c];
            for (int i = 0; i < n; i++) {
                out[c * n + i] = (float) (((px[i * 3 + c] & 0xff) / 255.0 - m) / s);
            }
        }
        return out;
    }
}
