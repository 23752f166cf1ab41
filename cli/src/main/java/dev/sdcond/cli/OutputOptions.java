package dev.sdcond.cli;

import dev.sdcond.models.safetensors.SafetensorsWriter;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Locale;
import picocli.CommandLine.Option;

/** --output, --format, --force, --no-hash. */
public final class OutputOptions {
    @Option(names = {"-o", "--output"}, description = "output file (safetensors) or folder (npy)")
    Path output;

    @Option(names = "--format", defaultValue = "safetensors",
            description = "safetensors (one file, settings in __metadata__) or npy (a folder of KEY.npy files and"
                    + " metadata.json) (default: ${DEFAULT-VALUE})")
    String format;

    @Option(names = "--force", description = "overwrite an existing output")
    boolean force;

    @Option(names = "--no-hash", description = "do not record the SHA-256 of the weights in the metadata")
    boolean noHash;

    /** The weights' SHA-256 for the metadata, or "not computed" with --no-hash. */
    String weightsSha256(java.util.List<Path> files) throws IOException {
        return noHash ? "not computed" : Provenance.sha256(files);
    }

    boolean npy() {
        return switch (format.toLowerCase(Locale.ROOT)) {
            case "safetensors" -> false;
            case "npy", "numpy" -> true;
            default -> throw new IllegalArgumentException("unknown --format '" + format + "' (safetensors, npy)");
        };
    }

    /** Writes atomically: a temporary file (or folder) renamed into place, never a partial output. */
    void write(SafetensorsWriter w, Path target) throws IOException {
        if (npy()) {
            w.writeNpy(target, force);
        } else {
            w.write(target, force);
        }
    }

    /** Fails early, before any work, when the output exists and --force is not given. */
    void checkWritable(Path target) {
        if (target != null && !force && java.nio.file.Files.exists(target)) {
            throw new dev.sdcond.models.InvalidInputException(target + ": exists (use --force to overwrite)");
        }
    }
}
