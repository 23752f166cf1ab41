package dev.sdcond.ipadapter.image;

import java.awt.image.Raster;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;

/** 4-component JPEGs (CMYK, and YCCK through Adobe's transform) decoded as libjpeg and Pillow decode them. */
final class JpegCmyk {
    private JpegCmyk() {}

    /** The component count in the JPEG's SOF marker, or -1. */
    static int components(byte[] f) {
        int p = 2;
        while (p + 4 <= f.length && (f[p] & 0xff) == 0xFF) {
            int marker = f[p + 1] & 0xff;
            int len = ((f[p + 2] & 0xff) << 8) | (f[p + 3] & 0xff);
            boolean sof = marker >= 0xC0 && marker <= 0xCF && marker != 0xC4 && marker != 0xC8 && marker != 0xCC;
            if (sof && p + 9 < f.length) {
                return f[p + 9] & 0xff;
            }
            if (marker == 0xDA) {
                return -1;
            }
            p += 2 + len;
        }
        return -1;
    }

    /** The transform flag of the JPEG's Adobe APP14 marker (0 CMYK, 2 YCCK), or -1 without one. */
    static int adobeTransform(byte[] f) {
        int p = 2;
        while (p + 4 <= f.length && (f[p] & 0xff) == 0xFF) {
            int marker = f[p + 1] & 0xff;
            int len = ((f[p + 2] & 0xff) << 8) | (f[p + 3] & 0xff);
            if (marker == 0xEE && len >= 12 && p + 15 < f.length
                    && new String(f, p + 4, 5, StandardCharsets.ISO_8859_1).equals("Adobe")) {
                return f[p + 15] & 0xff;
            }
            if (marker == 0xDA) {
                return -1;
            }
            p += 2 + len;
        }
        return -1;
    }

    /** libjpeg's fixed-point YCbCr to RGB (jdcolor.c), as applied to the first three channels of YCCK. */
    private static int[] yccToRgb(int y, int cb, int cr) {
        final int half = 1 << 15;
        int x = cr - 128;
        int z = cb - 128;
        int r = y + ((fix(1.40200) * x + half) >> 16);
        int g = y + (((-fix(0.34414)) * z + half + (-fix(0.71414)) * x) >> 16);
        int b = y + ((fix(1.77200) * z + half) >> 16);
        return new int[] {clamp(r), clamp(g), clamp(b)};
    }

    private static int fix(double v) {
        return (int) (v * 65536 + 0.5);
    }

    private static int clamp(int v) {
        return v < 0 ? 0 : Math.min(v, 255);
    }

    /**
     * Pillow's CMYK decode and cmyk2rgb on the raw samples. libjpeg turns YCCK (Adobe transform 2) into CMYK as
     * (255 - R, 255 - G, 255 - B, K) of the YCC part, and Pillow inverts Adobe files ("CMYK;I"); then
     * {@code rgb = nk - c * nk / 255} with {@code nk = 255 - k}.
     */
    static RgbImage toRgb(Path name, Raster r, int adobeTransform, List<String> warnings) {
        if (!warnings.isEmpty()) {
            throw new ImageLoadException(name, "corrupt or truncated JPEG: " + warnings.get(0));
        }
        if (r.getNumBands() != 4) {
            throw new ImageLoadException(name, "4-component JPEG decoded to " + r.getNumBands() + " bands");
        }
        int w = r.getWidth();
        int h = r.getHeight();
        byte[] out = new byte[w * h * 3];
        int[] row = new int[w * 4];
        int[] c = new int[4];
        for (int y = 0; y < h; y++) {
            r.getPixels(r.getMinX(), r.getMinY() + y, w, 1, row);
            for (int x = 0; x < w; x++) {
                for (int k = 0; k < 4; k++) {
                    c[k] = row[x * 4 + k];
                }
                if (adobeTransform == 2) {
                    int[] rgb = yccToRgb(c[0], c[1], c[2]);
                    c[0] = 255 - rgb[0];
                    c[1] = 255 - rgb[1];
                    c[2] = 255 - rgb[2];
                }
                if (adobeTransform >= 0) {
                    for (int k = 0; k < 4; k++) {
                        c[k] = 255 - c[k];
                    }
                }
                int nk = 255 - c[3];
                for (int k = 0; k < 3; k++) {
                    int tmp = c[k] * nk + 128;
                    int v = nk - (((tmp >> 8) + tmp) >> 8);
                    out[(y * w + x) * 3 + k] = (byte) clamp(v);
                }
            }
        }
        return new RgbImage(w, h, out);
    }
}
