package dev.sdcond.ipadapter.preprocess;

/** How an image is brought to the encoder's square input. */
public enum ResizeMode {
    /**
     * transformers' classic {@code CLIPImageProcessor} on Pillow: shortest edge to the input size (bicubic), then a
     * square crop (centred by default). The default; what diffusers' IP-Adapter pipelines do.
     */
    HF,
    /** Resize straight to the square, changing the aspect ratio (nothing cut off). */
    SQUASH,
    /** Letterbox: pad the short side with black to a square (image centred), then resize. */
    PAD,
    /**
     * ComfyUI's {@code clip_preprocess} with crop (CLIPVisionEncode crop="center", what ComfyUI_IPAdapter_plus users
     * get): shortest edge to the input size with Python's {@code round()}, torch's antialiased bicubic on float
     * pixels, a square crop, then rounded to 8-bit levels.
     */
    COMFY,
    /** ComfyUI's {@code clip_preprocess} without crop (crop="none"): straight to the square, as {@link #COMFY}. */
    COMFY_SQUASH;

    /**
     * A mode by name.
     *
     * @param s {@code hf}, {@code squash}, {@code pad}, {@code comfy} or {@code comfy-squash}
     * @return the mode
     */
    public static ResizeMode parse(String s) {
        return switch (s.toLowerCase(java.util.Locale.ROOT)) {
            case "hf", "crop", "center-crop" -> HF;
            case "squash", "stretch" -> SQUASH;
            case "pad", "letterbox" -> PAD;
            case "comfy", "comfy-center" -> COMFY;
            case "comfy-squash", "comfy-none" -> COMFY_SQUASH;
            default -> throw new dev.sdcond.models.InvalidInputException("unknown resize mode '" + s
                    + "' (hf, squash, pad, comfy, comfy-squash)");
        };
    }
}
