package dev.sdcond.ipadapter.image;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

/**
 * Reads the EXIF orientation tag (0x0112) of JPEG (APP1), PNG ({@code eXIf}) and WebP ({@code EXIF}) files and applies
 * it as Pillow's {@code ImageOps.exif_transpose} (what diffusers' {@code load_image} calls) does.
 */
final class ExifOrientation {
    private ExifOrientation() {}

    /**
     * The orientation (1..8), or 1 when the file has none or it cannot be read.
     *
     * @param file a JPEG's bytes
     * @return the orientation, 1-8 (1 when there is none)
     */
    public static int read(byte[] file) {
        try {
            byte[] tiff = tiffBlock(file);
            return tiff == null ? 1 : orientationFromTiff(tiff);
        } catch (RuntimeException e) {
            return 1; // malformed EXIF is ignored, as Pillow ignores it
        }
    }

    private static byte[] tiffBlock(byte[] f) {
        if (f.length > 4 && (f[0] & 0xff) == 0xFF && (f[1] & 0xff) == 0xD8) {
            int p = 2;
            while (p + 4 <= f.length && (f[p] & 0xff) == 0xFF) {
                int marker = f[p + 1] & 0xff;
                if (marker == 0xDA || marker == 0xD9) {
                    break;
                }
                int len = ((f[p + 2] & 0xff) << 8) | (f[p + 3] & 0xff);
                if (marker == 0xE1 && len >= 8 && p + 2 + len <= f.length
                        && new String(f, p + 4, 6, StandardCharsets.ISO_8859_1).equals("Exif\0\0")) {
                    return java.util.Arrays.copyOfRange(f, p + 10, p + 2 + len);
                }
                p += 2 + len;
            }
            return null;
        }
        if (f.length > 8 && (f[0] & 0xff) == 0x89 && f[1] == 'P' && f[2] == 'N' && f[3] == 'G') {
            int p = 8;
            while (p + 12 <= f.length) {
                int len = ByteBuffer.wrap(f, p, 4).getInt();
                String type = new String(f, p + 4, 4, StandardCharsets.ISO_8859_1);
                if (len < 0 || p + 12L + len > f.length) {
                    return null;
                }
                if (type.equals("eXIf")) {
                    return java.util.Arrays.copyOfRange(f, p + 8, p + 8 + len);
                }
                if (type.equals("IDAT") || type.equals("IEND")) {
                    return null;
                }
                p += 12 + len;
            }
            return null;
        }
        if (f.length > 12 && new String(f, 0, 4, StandardCharsets.ISO_8859_1).equals("RIFF")
                && new String(f, 8, 4, StandardCharsets.ISO_8859_1).equals("WEBP")) {
            int p = 12;
            while (p + 8 <= f.length) {
                String type = new String(f, p, 4, StandardCharsets.ISO_8859_1);
                int len = ByteBuffer.wrap(f, p + 4, 4).order(ByteOrder.LITTLE_ENDIAN).getInt();
                if (len < 0 || p + 8L + len > f.length) {
                    return null;
                }
                if (type.equals("EXIF")) {
                    int start = p + 8;
                    if (len >= 6 && new String(f, start, 6, StandardCharsets.ISO_8859_1).equals("Exif\0\0")) {
                        start += 6;
                    }
                    return java.util.Arrays.copyOfRange(f, start, p + 8 + len);
                }
                p += 8 + len + (len & 1);
            }
        }
        return null;
    }

    private static int orientationFromTiff(byte[] t) {
        ByteOrder order;
        if (t[0] == 'I' && t[1] == 'I') {
            order = ByteOrder.LITTLE_ENDIAN;
        } else if (t[0] == 'M' && t[1] == 'M') {
            order = ByteOrder.BIG_ENDIAN;
        } else {
            return 1;
        }
        ByteBuffer b = ByteBuffer.wrap(t).order(order);
        int ifd = b.getInt(4);
        int count = b.getShort(ifd) & 0xffff;
        for (int i = 0; i < count; i++) {
            int e = ifd + 2 + i * 12;
            if ((b.getShort(e) & 0xffff) == 0x0112) {
                int v = b.getShort(e + 8) & 0xffff;
                return v >= 1 && v <= 8 ? v : 1;
            }
        }
        return 1;
    }

    /**
     * Applies an orientation (Pillow's exif_transpose).
     *
     * @param in the decoded image
     * @param orientation the EXIF orientation
     * @return the image as shown
     */
    public static RgbImage apply(RgbImage in, int orientation) {
        int w = in.width();
        int h = in.height();
        boolean swap = orientation >= 5;
        int ow = swap ? h : w;
        int oh = swap ? w : h;
        if (orientation <= 1 || orientation > 8) {
            return in;
        }
        byte[] src = in.rgb();
        byte[] out = new byte[src.length];
        for (int y = 0; y < oh; y++) {
            for (int x = 0; x < ow; x++) {
                int sx;
                int sy;
                switch (orientation) {
                    case 2 -> { sx = w - 1 - x; sy = y; }          // FLIP_LEFT_RIGHT
                    case 3 -> { sx = w - 1 - x; sy = h - 1 - y; }  // ROTATE_180
                    case 4 -> { sx = x; sy = h - 1 - y; }          // FLIP_TOP_BOTTOM
                    case 5 -> { sx = y; sy = x; }                  // TRANSPOSE
                    case 6 -> { sx = y; sy = h - 1 - x; }          // ROTATE_270 (90 clockwise)
                    case 7 -> { sx = w - 1 - y; sy = h - 1 - x; }  // TRANSVERSE
                    default -> { sx = w - 1 - y; sy = x; }         // 8: ROTATE_90 (90 counter-clockwise)
                }
                int s = (sy * w + sx) * 3;
                int d = (y * ow + x) * 3;
                out[d] = src[s];
                out[d + 1] = src[s + 1];
                out[d + 2] = src[s + 2];
            }
        }
        return new RgbImage(ow, oh, out);
    }
}
