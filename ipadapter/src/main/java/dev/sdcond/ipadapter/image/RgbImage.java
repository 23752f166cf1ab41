package dev.sdcond.ipadapter.image;

/**
 * An 8-bit RGB image, rows top to bottom, pixels interleaved R, G, B (Pillow's "RGB" mode).
 *
 * @param width pixels per row
 * @param height rows
 * @param rgb width * height * 3 bytes
 */
public record RgbImage(int width, int height, byte[] rgb) {
    /**
     * Checks the buffer's size.
     *
     * @param width pixels per row
     * @param height rows
     * @param rgb width * height * 3 bytes
     * @throws IllegalArgumentException when they disagree
     */
    public RgbImage {
        if (width <= 0 || height <= 0 || rgb.length != (long) width * height * 3) {
            throw new IllegalArgumentException("bad image buffer: " + width + "x" + height + ", " + rgb.length + " bytes");
        }
    }

    /**
     * A solid colour.
     *
     * @param width pixels per row
     * @param height rows
     * @param r red, 0-255
     * @param g green, 0-255
     * @param b blue, 0-255
     * @return the image
     */
    public static RgbImage filled(int width, int height, int r, int g, int b) {
        byte[] px = new byte[width * height * 3];
        for (int i = 0; i < px.length; i += 3) {
            px[i] = (byte) r;
            px[i + 1] = (byte) g;
            px[i + 2] = (byte) b;
        }
        return new RgbImage(width, height, px);
    }

    /**
     * One channel of one pixel.
     *
     * @param x the column
     * @param y the row
     * @param c the channel (0 R, 1 G, 2 B)
     * @return its value, 0-255
     */
    public int get(int x, int y, int c) {
        return rgb[(y * width + x) * 3 + c] & 0xff;
    }

    /**
     * A copy of the rectangle [x0, x0+w) x [y0, y0+h), which must lie inside.
     *
     * @param x0 the left column
     * @param y0 the top row
     * @param w the width
     * @param h the height
     * @return the region, copied
     */
    public RgbImage crop(int x0, int y0, int w, int h) {
        byte[] out = new byte[w * h * 3];
        for (int y = 0; y < h; y++) {
            System.arraycopy(rgb, ((y0 + y) * width + x0) * 3, out, y * w * 3, w * 3);
        }
        return new RgbImage(w, h, out);
    }
}
