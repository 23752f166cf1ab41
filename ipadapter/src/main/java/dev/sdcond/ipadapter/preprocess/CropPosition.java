package dev.sdcond.ipadapter.preprocess;

/** Where the square crop of {@link ResizeMode#HF} is taken (ComfyUI_IPAdapter_plus's choices). */
public enum CropPosition {
    /** The middle (transformers' and diffusers' choice). */
    CENTER,
    /** The top edge (left-right centred). */
    TOP,
    /** The bottom edge (left-right centred). */
    BOTTOM,
    /** The left edge (top-bottom centred). */
    LEFT,
    /** The right edge (top-bottom centred). */
    RIGHT;

    /**
     * A position by name.
     *
     * @param s {@code center}, {@code top}, {@code bottom}, {@code left} or {@code right}
     * @return the position
     */
    public static CropPosition parse(String s) {
        try {
            return valueOf(s.toUpperCase(java.util.Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new dev.sdcond.models.InvalidInputException("unknown crop position '" + s + "' (center, top, bottom, left, right)");
        }
    }
}
