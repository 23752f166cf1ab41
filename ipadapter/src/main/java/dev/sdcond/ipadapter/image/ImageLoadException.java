package dev.sdcond.ipadapter.image;

import dev.sdcond.models.InvalidInputException;
import java.nio.file.Path;

/** An image file cannot be used: unsupported, corrupt, truncated, or too large. The message names the file. */
public final class ImageLoadException extends InvalidInputException {
    /**
     * An image that cannot be used.
     *
     * @param file the image
     * @param problem what is wrong
     */
    public ImageLoadException(Path file, String problem) {
        super(file + ": " + problem);
    }

    /**
     * An image that cannot be used.
     *
     * @param file the image
     * @param problem what is wrong
     * @param cause the decoder's error
     */
    public ImageLoadException(Path file, String problem, Throwable cause) {
        super(file + ": " + problem, cause);
    }
}
