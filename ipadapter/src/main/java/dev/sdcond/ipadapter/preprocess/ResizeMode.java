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
    PAD;

    public static ResizeMode parse(String s) {
        return switch (s.toLowerCase(java.util.Locale.ROOT)) {
            case "hf", "crop", "center-crop" -> HF;
            case "squash", "stretch" -> SQUASH;
            case "pad", "letterbox" -> PAD;
            default -> throw new dev.sdcond.models.InvalidInputException("unknown resize mode '" + s + "' (hf, squash, pad)");
        };
    }
}
