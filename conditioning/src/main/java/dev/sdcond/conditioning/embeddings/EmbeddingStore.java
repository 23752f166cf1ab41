package dev.sdcond.conditioning.embeddings;

import dev.sdcond.models.InvalidInputException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * The textual-inversion embeddings of one or more folders (searched recursively, the first folder winning a name),
 * by file stem. Pickle files ({@code .pt}, {@code .bin}) are listed by name only: using one is an error with the
 * conversion hint.
 */
public final class EmbeddingStore {
    private final List<Path> folders;
    private final Map<String, Embedding> byName;
    private final Map<String, Path> pickles;

    private EmbeddingStore(List<Path> folders, Map<String, Embedding> byName, Map<String, Path> pickles) {
        this.folders = folders;
        this.byName = byName;
        this.pickles = pickles;
    }

    /** No embeddings. */
    public static final EmbeddingStore NONE = new EmbeddingStore(List.of(), Map.of(), Map.of());

    /** Reads every {@code .safetensors} file of the folders. */
    public static EmbeddingStore of(List<Path> folders) {
        Map<String, Embedding> byName = new LinkedHashMap<>();
        Map<String, Path> pickles = new LinkedHashMap<>();
        for (Path dir : folders) {
            if (!Files.isDirectory(dir)) {
                throw new InvalidInputException(dir + ": not a folder (an embeddings folder is needed)");
            }
            try (Stream<Path> s = Files.walk(dir)) {
                for (Path f : s.filter(Files::isRegularFile).sorted().toList()) {
                    String n = f.getFileName().toString();
                    String lower = n.toLowerCase(Locale.ROOT);
                    if (lower.endsWith(".safetensors")) {
                        byName.putIfAbsent(n.substring(0, n.length() - 12), Embedding.read(f));
                    } else if (lower.endsWith(".pt") || lower.endsWith(".bin")) {
                        pickles.putIfAbsent(n.substring(0, n.lastIndexOf('.')), f);
                    }
                }
            } catch (IOException e) {
                throw dev.sdcond.models.io.InputFiles.unreadable(dir, e);
            }
        }
        return new EmbeddingStore(List.copyOf(folders), Collections.unmodifiableMap(byName),
                Collections.unmodifiableMap(pickles));
    }

    /** Whether folders were given (ComfyUI drops unknown {@code embedding:NAME} words only then). */
    public boolean hasFolders() {
        return !folders.isEmpty();
    }

    /** The names of the pickle embeddings found (not read: using one is an error). */
    public java.util.Set<String> pickleNames() {
        return pickles.keySet();
    }

    /** Every embedding, by name. */
    public Map<String, Embedding> all() {
        return byName;
    }

    /**
     * The embedding named {@code name} (a file stem, or a file name with its extension).
     *
     * @throws InvalidInputException when the name is a pickle file, which is not read
     */
    public Optional<Embedding> find(String name) {
        String stem = name.endsWith(".safetensors") ? name.substring(0, name.length() - 12) : name;
        Embedding e = byName.get(stem);
        if (e == null && pickles.containsKey(stem.replaceFirst("\\.(pt|bin)$", ""))) {
            throw new InvalidInputException(pickles.get(stem.replaceFirst("\\.(pt|bin)$", "")) + ": a pickle embedding;"
                    + " pickle files can run code when loaded and are not read. Convert it to safetensors first.");
        }
        return Optional.ofNullable(e);
    }
}
