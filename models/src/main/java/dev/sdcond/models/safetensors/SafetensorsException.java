package dev.sdcond.models.safetensors;

import dev.sdcond.models.InvalidInputException;
import java.nio.file.Path;

/** A safetensors file (or shard index) breaks the format. The message names the file and, where known, the tensor. */
public final class SafetensorsException extends InvalidInputException {
    /** The file that breaks the format. */
    private final Path file;

    /**
     * A format error.
     *
     * @param file the file
     * @param problem what is wrong
     */
    public SafetensorsException(Path file, String problem) {
        super(file + ": " + problem);
        this.file = file;
    }

    /**
     * A format error.
     *
     * @param file the file
     * @param problem what is wrong
     * @param cause the underlying error
     */
    public SafetensorsException(Path file, String problem, Throwable cause) {
        super(file + ": " + problem, cause);
        this.file = file;
    }

    /**
     * The offending file.
     *
     * @return the file
     */
    public Path file() {
        return file;
    }
}
