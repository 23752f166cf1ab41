package dev.sdcond.cli;

import dev.sdcond.models.InvalidInputException;
import dev.sdcond.models.io.OutputTargets;
import dev.sdcond.models.safetensors.SafetensorsWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.Option;
import picocli.CommandLine.TypeConversionException;

/**
 * --output, --output-dir, --format, --force, --no-hash; the checks of every output target before any work (the rules
 * themselves are the library's {@link OutputTargets}).
 */
final class OutputOptions {
    /** What an output is. */
    enum Format {
        /** One file, settings in {@code __metadata__}. */
        SAFETENSORS,
        /** A folder of {@code KEY.npy} files and {@code metadata.json}. */
        NPY;

        static final class Converter implements ITypeConverter<Format> {
            @Override
            public Format convert(String s) {
                return switch (s.toLowerCase(Locale.ROOT)) {
                    case "safetensors" -> SAFETENSORS;
                    case "npy", "numpy" -> NPY;
                    default -> throw new TypeConversionException("'" + s + "' is not a format (safetensors, npy)");
                };
            }
        }
    }

    @Option(names = {"-o", "--output"}, description = "output file (safetensors) or folder (npy)")
    String outputText;

    /** What the command reads: an output never replaces any of it. */
    private List<Path> inputs = List.of();

    /**
     * The files and folders the command reads, set before the outputs are checked.
     *
     * @param read the inputs (null entries and builtin specs skipped)
     */
    void reads(List<Path> read) {
        inputs = read.stream().filter(java.util.Objects::nonNull).toList();
    }

    /** The inputs of a command from its model specs (builtin: none) and the other paths it reads. */
    static List<Path> inputs(List<String> models, List<Path> others) {
        List<Path> all = new ArrayList<>();
        for (String m : models) {
            if (!m.startsWith("builtin:")) {
                all.add(Path.of(m));
            }
        }
        all.addAll(others.stream().filter(java.util.Objects::nonNull).toList());
        return all;
    }

    @Option(names = "--format", defaultValue = "safetensors", converter = Format.Converter.class,
            description = "safetensors (one file, settings in __metadata__) or npy (a folder of KEY.npy files and"
                    + " metadata.json) (default: safetensors)")
    Format format;

    @Option(names = "--force", description = "replace an existing output (an npy folder only if sdcond wrote it)")
    boolean force;

    @Option(names = "--no-hash", description = "do not record the SHA-256 of the weights read in the metadata")
    boolean noHash;

    boolean npy() {
        return format == Format.NPY;
    }

    /**
     * The one output of a command that writes one, checked before any work: it is given, it fits --format, and it
     * may be written (see {@link OutputTargets}).
     *
     * @param outputDir the command's --output-dir, which excludes -o
     */
    Path single(Path outputDir) {
        Path output = outputText == null ? null : Path.of(outputText);
        if (outputDir != null && output != null) {
            throw new InvalidInputException("-o/--output and --output-dir exclude each other: -o writes one output"
                    + " holding every item, --output-dir one output per item");
        }
        if (output == null) {
            throw new InvalidInputException("an output is needed: -o/--output FILE (or --output-dir for one per item)");
        }
        if (!npy() && (outputText.endsWith("/") || outputText.endsWith(java.io.File.separator))) {
            throw new InvalidInputException("-o/--output " + outputText + ": ends in a separator, so it names a folder;"
                    + " a safetensors output is a file (or give --format npy for a folder)");
        }
        try {
            check(output);
        } catch (OutputTargets.ExistsException e) {
            throw e;
        } catch (dev.sdcond.models.OutputException e) {
            throw new dev.sdcond.models.OutputException("-o/--output " + e.getMessage(), e);
        } catch (InvalidInputException e) {
            throw new InvalidInputException("-o/--output " + e.getMessage(), e);
        }
        return output;
    }

    /**
     * The outputs of a command that writes one per item into --output-dir, checked before any work: no two items
     * share an output, and each may be written.
     *
     * @param outputDir the folder
     * @param items for each item: its name (without extension) and, for messages, where the name comes from
     */
    List<Path> perItem(Path outputDir, List<Map.Entry<String, String>> items) {
        if (outputText != null) {
            throw new InvalidInputException("-o/--output and --output-dir exclude each other: -o writes one output"
                    + " holding every item, --output-dir one output per item");
        }
        if (java.nio.file.Files.exists(outputDir) && !java.nio.file.Files.isDirectory(outputDir)) {
            throw new dev.sdcond.models.OutputException("--output-dir " + outputDir + ": is a file, not a folder");
        }
        Map<Path, List<String>> byTarget = new LinkedHashMap<>();
        for (Map.Entry<String, String> item : items) {
            Path target = outputDir.resolve(item.getKey() + (npy() ? "" : ".safetensors"));
            byTarget.computeIfAbsent(target.toAbsolutePath().normalize(), k -> new ArrayList<>()).add(item.getValue());
        }
        List<String> clashes = new ArrayList<>();
        byTarget.forEach((target, sources) -> {
            if (sources.size() > 1) {
                clashes.add(target.getFileName() + " <- " + String.join(", ", sources));
            }
        });
        if (!clashes.isEmpty()) {
            throw new InvalidInputException(outputDir + ": " + clashes.size() + " output name(s) would be written by"
                    + " more than one item, and one result would be lost; rename the inputs (or give names):\n  "
                    + String.join("\n  ", clashes.subList(0, Math.min(20, clashes.size())))
                    + (clashes.size() > 20 ? "\n  ... and " + (clashes.size() - 20) + " more" : ""));
        }
        List<Path> targets = new ArrayList<>();
        for (Map.Entry<String, String> item : items) {
            Path target = outputDir.resolve(item.getKey() + (npy() ? "" : ".safetensors"));
            check(target);
            targets.add(target);
        }
        return targets;
    }

    private void check(Path target) {
        OutputTargets.checkNotInput(target, inputs);
        if (npy()) {
            if (target.getFileName() != null && target.getFileName().toString().toLowerCase(Locale.ROOT)
                    .endsWith(".safetensors")) {
                throw new InvalidInputException(target + ": --format npy writes a folder, but this names a"
                        + " .safetensors file; give a folder name, or leave --format out");
            }
            OutputTargets.checkNpyFolder(target, force);
        } else {
            OutputTargets.checkFile(target, force);
        }
    }

    /** The provenance hash of the weights read, computed once, or "not computed" with --no-hash. */
    String weightsSha256(java.util.function.Supplier<String> sha256) {
        return noHash ? dev.sdcond.models.safetensors.Provenance.NOT_COMPUTED : sha256.get();
    }

    /** Writes atomically: a temporary file (or folder) renamed into place, never a partial output. */
    void write(SafetensorsWriter w, Path target) {
        if (npy()) {
            w.writeNpy(target, force);
        } else {
            w.write(target, force);
        }
    }
}
