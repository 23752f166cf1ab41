package dev.sdcond.models.safetensors;

import dev.sdcond.models.InvalidInputException;
import java.nio.file.Path;

/** A safetensors file (or shard index) breaks the format. The message names the file and, where known, the tensor. */
public final class SafetensorsException extends InvalidInputException {
    private final Path file;

    public SafetensorsException(Path file, String problem) {
        super(file + ": " + problem);
        this.file = file;
    }

    public SafetensorsException(Path file, String problem, Throwable cause) {
        super(file + ": " + problem, cause);
        this.file = file;
    }

    /** The offending file. */
    public Path file() {
        return file;
    }
}
