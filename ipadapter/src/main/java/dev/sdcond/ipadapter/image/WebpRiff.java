package dev.sdcond.ipadapter.image;

import java.nio.file.Path;

/**
 * The RIFF container of a WebP: the size its header gives must be in the file. libwebp (under Pillow and ComfyUI)
 * refuses a file cut short, but Java's decoder reads the missing data as zeros and gives an image, so that a truncated
 * download would be encoded without a word.
 */
final class WebpRiff {
    private WebpRiff() {}

    /**
     * Checks the RIFF size against the file.
     *
     * @param name the file, for messages
     * @param webp the whole file, starting with {@code RIFF}
     * @throws ImageLoadException for a file shorter than its header says
     */
    static void check(Path name, byte[] webp) {
        if (webp.length < 12) {
            throw new ImageLoadException(name, "corrupt or truncated WebP: " + webp.length + " bytes, not even a header");
        }
        long riff = (webp[4] & 0xffL) | (webp[5] & 0xffL) << 8 | (webp[6] & 0xffL) << 16 | (webp[7] & 0xffL) << 24;
        if (riff + 8 > webp.length) {
            throw new ImageLoadException(name, "corrupt or truncated WebP: its header says " + (riff + 8)
                    + " bytes, the file has " + webp.length);
        }
    }
}
