package dev.sdcond.ipadapter.image;

import java.awt.image.BufferedImage;
import java.awt.image.ColorModel;
import java.awt.image.ComponentColorModel;
import java.awt.image.IndexColorModel;
import java.awt.image.Raster;
import java.nio.file.Path;

/** Pillow's {@code convert("RGB")} on decoded samples: palettes, gray, 16-bit samples and alpha as Pillow treats them. */
final class PillowRgb {
    private PillowRgb() {
    }

    /** Pillow's convert("RGB") on the decoded samples (never Java's colour-managed getRGB). */
    static RgbImage of(Path name, BufferedImage img, AlphaMode alpha) {
        int w = img.getWidth();
        int h = img.getHeight();
        Raster r = img.getRaster();
        ColorModel cm = img.getColorModel();
        byte[] out = new byte[w * h * 3];
        int bands = r.getNumBands();
        int[] row = new int[w * bands];
        if (cm instanceof IndexColorModel icm) {
            for (int y = 0; y < h; y++) {
                r.getPixels(0, y, w, 1, row);
                for (int x = 0; x < w; x++) {
                    int idx = row[x * bands];
                    put(alpha, out, y * w + x, icm.getRed(idx), icm.getGreen(idx), icm.getBlue(idx), 255);
                }
            }
            return new RgbImage(w, h, out);
        }
        if (!(cm instanceof ComponentColorModel)) {
            // packed formats (BMP 16/32-bit): the colour model's own 8-bit components
            for (int y = 0; y < h; y++) {
                for (int x = 0; x < w; x++) {
                    Object px = r.getDataElements(x, y, null);
                    put(alpha, out, y * w + x, cm.getRed(px), cm.getGreen(px), cm.getBlue(px),
                            cm.hasAlpha() ? cm.getAlpha(px) : 255);
                }
            }
            return new RgbImage(w, h, out);
        }
        int bits = r.getSampleModel().getSampleSize(0);
        if (bits != 8 && bits != 16) {
            throw new ImageLoadException(name, bits + "-bit samples are not supported");
        }
        boolean gray = bands <= 2;
        boolean hasAlpha = bands == 2 || bands == 4;
        for (int y = 0; y < h; y++) {
            r.getPixels(0, y, w, 1, row);
            for (int x = 0; x < w; x++) {
                int o = x * bands;
                int a = hasAlpha ? eight(row[o + bands - 1], bits, false) : 255;
                if (gray) {
                    // 16-bit gray without alpha is Pillow's I;16, whose RGB conversion clips; with alpha it is LA (high byte)
                    int v = eight(row[o], bits, bits == 16 && !hasAlpha);
                    put(alpha, out, y * w + x, v, v, v, a);
                } else {
                    put(alpha, out, y * w + x, eight(row[o], bits, false), eight(row[o + 1], bits, false),
                            eight(row[o + 2], bits, false), a);
                }
            }
        }
        return new RgbImage(w, h, out);
    }

    private static int eight(int sample, int bits, boolean clip) {
        if (bits == 8) {
            return sample;
        }
        return clip ? Math.min(sample, 255) : sample >> 8;
    }

    private static void put(AlphaMode alpha, byte[] out, int i, int r, int g, int b, int a) {
        if (alpha.composite() && a != 255) {
            int bg = alpha.background();
            r = blend(r, (bg >> 16) & 0xff, a);
            g = blend(g, (bg >> 8) & 0xff, a);
            b = blend(b, bg & 0xff, a);
        }
        out[i * 3] = (byte) r;
        out[i * 3 + 1] = (byte) g;
        out[i * 3 + 2] = (byte) b;
    }

    private static int blend(int c, int bg, int a) {
        return (int) Math.round((c * a + bg * (255 - a)) / 255.0);
    }
}
