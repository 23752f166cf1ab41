package dev.sdcond.ipadapter.preprocess;

import dev.sdcond.ipadapter.image.RgbImage;

/**
 * Pillow's {@code Image.resize(size, BICUBIC)} on 8-bit RGB, reproduced exactly: a separable convolution whose
 * support widens with the downscale factor, the bicubic kernel with a = -0.5, coefficients normalised and turned into
 * 22-bit fixed point, a horizontal pass over only the rows the vertical pass needs, rounding to 8 bits between the
 * passes and at the end.
 */
final class PillowResize {
    private static final int PRECISION_BITS = 32 - 8 - 2;
    private static final double BICUBIC_SUPPORT = 2.0;

    private PillowResize() {}

    /** Fixed-point filter taps for one axis: for each output pixel its first input pixel, tap count and weights. */
    private record Coeffs(int ksize, int[] bounds, int[] kk) {}

    private static double bicubic(double x) {
        final double a = -0.5;
        x = Math.abs(x);
        if (x < 1.0) {
            return ((a + 2.0) * x - (a + 3.0)) * x * x + 1;
        }
        if (x < 2.0) {
            return (((x - 5) * x + 8) * x - 4) * a;
        }
        return 0.0;
    }

    /** Pillow's precompute_coeffs + normalize_coeffs_8bpc for the box [in0, in1) of an axis of inSize pixels. */
    private static Coeffs coeffs(int inSize, double in0, double in1, int outSize) {
        double scale = (in1 - in0) / outSize;
        double filterscale = Math.max(scale, 1.0);
        double support = BICUBIC_SUPPORT * filterscale;
        int ksize = (int) Math.ceil(support) * 2 + 1;
        int[] bounds = new int[outSize * 2];
        int[] kk = new int[outSize * ksize];
        double[] k = new double[ksize];
        for (int xx = 0; xx < outSize; xx++) {
            double center = in0 + (xx + 0.5) * scale;
            double ss = 1.0 / filterscale;
            int xmin = (int) (center - support + 0.5); // C truncation toward zero
            if (xmin < 0) {
                xmin = 0;
            }
            int xmax = (int) (center + support + 0.5);
            if (xmax > inSize) {
                xmax = inSize;
            }
            xmax -= xmin;
            double ww = 0.0;
            for (int x = 0; x < xmax; x++) {
                double w = bicubic((x + xmin - center + 0.5) * ss);
                k[x] = w;
                ww += w;
            }
            for (int x = 0; x < xmax; x++) {
                if (ww != 0.0) {
                    k[x] /= ww;
                }
            }
            for (int x = 0; x < ksize; x++) {
                double v = x < xmax ? k[x] : 0.0;
                kk[xx * ksize + x] = (int) (v * (1 << PRECISION_BITS) + (v < 0 ? -0.5 : 0.5));
            }
            bounds[xx * 2] = xmin;
            bounds[xx * 2 + 1] = xmax;
        }
        return new Coeffs(ksize, bounds, kk);
    }

    private static int clip8(int ss) {
        int v = ss >> PRECISION_BITS;
        return v < 0 ? 0 : Math.min(v, 255);
    }

    /**
     * Resizes the whole image to {@code outW x outH}.
     *
     * @param in the image
     * @param outW the width
     * @param outH the height
     * @return the resized image
     */
    public static RgbImage resize(RgbImage in, int outW, int outH) {
        if (outW <= 0 || outH <= 0) {
            throw new IllegalArgumentException("target size must be positive: " + outW + "x" + outH);
        }
        if (outW == in.width() && outH == in.height()) {
            return new RgbImage(outW, outH, in.rgb().clone());
        }
        boolean horizontal = outW != in.width();
        boolean vertical = outH != in.height();
        Coeffs ch = coeffs(in.width(), 0, in.width(), outW);
        Coeffs cv = coeffs(in.height(), 0, in.height(), outH);
        RgbImage cur = in;
        int[] vBounds = cv.bounds().clone();
        if (horizontal) {
            int yFirst = vertical ? cv.bounds()[0] : 0;
            int yLast = vertical ? cv.bounds()[outH * 2 - 2] + cv.bounds()[outH * 2 - 1] : in.height();
            if (vertical) {
                for (int i = 0; i < outH; i++) {
                    vBounds[i * 2] -= yFirst;
                }
            }
            cur = horizontalPass(in, outW, yFirst, yLast - yFirst, ch);
        }
        if (vertical) {
            cur = verticalPass(cur, outH, new Coeffs(cv.ksize(), vBounds, cv.kk()));
        }
        return cur;
    }

    private static RgbImage horizontalPass(RgbImage in, int outW, int yOffset, int rows, Coeffs c) {
        byte[] src = in.rgb();
        byte[] dst = new byte[outW * rows * 3];
        int inW = in.width();
        for (int y = 0; y < rows; y++) {
            int rowBase = (y + yOffset) * inW * 3;
            for (int xx = 0; xx < outW; xx++) {
                int xmin = c.bounds()[xx * 2];
                int xmax = c.bounds()[xx * 2 + 1];
                int kBase = xx * c.ksize();
                int s0 = 1 << (PRECISION_BITS - 1);
                int s1 = s0;
                int s2 = s0;
                for (int x = 0; x < xmax; x++) {
                    int k = c.kk()[kBase + x];
                    int p = rowBase + (x + xmin) * 3;
                    s0 += (src[p] & 0xff) * k;
                    s1 += (src[p + 1] & 0xff) * k;
                    s2 += (src[p + 2] & 0xff) * k;
                }
                int o = (y * outW + xx) * 3;
                dst[o] = (byte) clip8(s0);
                dst[o + 1] = (byte) clip8(s1);
                dst[o + 2] = (byte) clip8(s2);
            }
        }
        return new RgbImage(outW, rows, dst);
    }

    private static RgbImage verticalPass(RgbImage in, int outH, Coeffs c) {
        byte[] src = in.rgb();
        int w = in.width();
        byte[] dst = new byte[w * outH * 3];
        for (int yy = 0; yy < outH; yy++) {
            int ymin = c.bounds()[yy * 2];
            int ymax = c.bounds()[yy * 2 + 1];
            int kBase = yy * c.ksize();
            for (int xx = 0; xx < w; xx++) {
                int s0 = 1 << (PRECISION_BITS - 1);
                int s1 = s0;
                int s2 = s0;
                for (int y = 0; y < ymax; y++) {
                    int k = c.kk()[kBase + y];
                    int p = ((y + ymin) * w + xx) * 3;
                    s0 += (src[p] & 0xff) * k;
                    s1 += (src[p + 1] & 0xff) * k;
                    s2 += (src[p + 2] & 0xff) * k;
                }
                int o = (yy * w + xx) * 3;
                dst[o] = (byte) clip8(s0);
                dst[o + 1] = (byte) clip8(s1);
                dst[o + 2] = (byte) clip8(s2);
            }
        }
        return new RgbImage(w, outH, dst);
    }
}
