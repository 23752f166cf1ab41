package dev.sdcond.ipadapter.preprocess;

import dev.sdcond.ipadapter.image.RgbImage;

/**
 * {@code torch.nn.functional.interpolate(mode="bicubic", antialias=True)} on float pixels (8-bit values / 255, as
 * ComfyUI loads images), as ComfyUI's {@code clip_preprocess} calls it: separable, the width first, then the height;
 * per output pixel the taps of the bicubic kernel (a = -0.5) over a support that widens with the downscale factor,
 * normalised to sum 1; float32 arithmetic throughout, no rounding between the passes. The result is rounded to 8-bit
 * levels as {@code clip_preprocess} does after resizing ({@code round(clip(255 x, 0, 255))}, halves to even).
 */
final class TorchAaResize {
    private TorchAaResize() {}

    private static float cubic(float x) {
        final float a = -0.5f;
        x = Math.abs(x);
        if (x < 1f) {
            return ((a + 2f) * x - (a + 3f)) * x * x + 1f;
        }
        if (x < 2f) {
            return (((x - 5f) * x + 8f) * x - 4f) * a;
        }
        return 0f;
    }

    /** Taps of one axis: for each output index its first input index, tap count, and weights. */
    private record Taps(int[] start, int[] count, float[][] weights) {
        static Taps of(int inSize, int outSize) {
            float scale = (float) inSize / outSize;
            float support = scale >= 1f ? 2f * scale : 2f;
            float invscale = scale >= 1f ? 1f / scale : 1f;
            int[] start = new int[outSize];
            int[] count = new int[outSize];
            float[][] weights = new float[outSize][];
            for (int i = 0; i < outSize; i++) {
                float center = scale * (i + 0.5f);
                int xmin = Math.max((int) (center - support + 0.5f), 0);
                int xsize = Math.min((int) (center + support + 0.5f), inSize) - xmin;
                float[] w = new float[Math.max(xsize, 0)];
                float total = 0f;
                for (int j = 0; j < w.length; j++) {
                    w[j] = cubic((j + xmin - center + 0.5f) * invscale);
                    total += w[j];
                }
                if (total != 0f) {
                    for (int j = 0; j < w.length; j++) {
                        w[j] /= total;
                    }
                }
                start[i] = xmin;
                count[i] = w.length;
                weights[i] = w;
            }
            return new Taps(start, count, weights);
        }
    }

    /** Resizes to {@code outW x outH} and rounds to 8-bit levels. */
    static RgbImage resize(RgbImage in, int outW, int outH) {
        int w = in.width();
        int h = in.height();
        byte[] src = in.rgb();
        float[] x = new float[w * h * 3];
        for (int i = 0; i < x.length; i++) {
            x[i] = (src[i] & 0xff) / 255f;
        }
        float[] horizontal = x;
        int curW = w;
        if (outW != w) {
            Taps t = Taps.of(w, outW);
            horizontal = new float[outW * h * 3];
            for (int y = 0; y < h; y++) {
                for (int ox = 0; ox < outW; ox++) {
                    for (int c = 0; c < 3; c++) {
                        float s = 0f;
                        for (int j = 0; j < t.count[ox]; j++) {
                            s += x[(y * w + t.start[ox] + j) * 3 + c] * t.weights[ox][j];
                        }
                        horizontal[(y * outW + ox) * 3 + c] = s;
                    }
                }
            }
            curW = outW;
        }
        float[] vertical = horizontal;
        if (outH != h) {
            Taps t = Taps.of(h, outH);
            vertical = new float[curW * outH * 3];
            for (int oy = 0; oy < outH; oy++) {
                for (int xx = 0; xx < curW; xx++) {
                    for (int c = 0; c < 3; c++) {
                        float s = 0f;
                        for (int j = 0; j < t.count[oy]; j++) {
                            s += horizontal[((t.start[oy] + j) * curW + xx) * 3 + c] * t.weights[oy][j];
                        }
                        vertical[(oy * curW + xx) * 3 + c] = s;
                    }
                }
            }
        }
        byte[] out = new byte[curW * outH * 3];
        for (int i = 0; i < out.length; i++) {
            float v = Math.min(Math.max(255f * vertical[i], 0f), 255f);
            out[i] = (byte) (int) Math.rint(v);
        }
        return new RgbImage(curW, outH, out);
    }
}
