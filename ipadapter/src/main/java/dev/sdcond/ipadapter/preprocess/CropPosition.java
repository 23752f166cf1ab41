package dev.sdcond.ipadapter.preprocess;

/** Where the square crop of {@link ResizeMode#HF} is taken (ComfyUI_IPAdapter_plus's choices). */
public enum CropPosition {
    CENTER, TOP, BOTTOM, LEFT, RIGHT;

    public static CropPosition parse(String s) {
        try {
            return valueOf(s.toUpperCase(java.util.Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new dev.sdcond.models.InvalidInputException("unknown crop position '" + s + "' (center, top, bottom, left, right)");
        }
    }
}
