package dev.sdcond.ipadapter.image;

/**
 * What happens to an alpha channel.
 *
 * @param composite whether to composite over {@code background} (otherwise alpha is dropped, as Pillow's
 *     {@code convert("RGB")} does: hidden colours under transparent pixels show)
 * @param background the 0xRRGGBB colour composited over
 */
public record AlphaMode(boolean composite, int background) {
    /** Drop alpha, keep the colour values (the reference tools' behaviour; the default). */
    public static final AlphaMode DROP = new AlphaMode(false, 0);

    /**
     * Composite over a colour: {@code round((c * a + bg * (255 - a)) / 255)}.
     *
     * @param rgb the colour, 0xRRGGBB
     * @return the mode
     */
    public static AlphaMode over(int rgb) {
        return new AlphaMode(true, rgb & 0xffffff);
    }
}
