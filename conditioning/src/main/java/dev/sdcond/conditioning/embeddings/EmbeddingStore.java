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
 * by file stem, and for ComfyUI also by path relative to the folder ({@code sub/name}). A file that cannot be used
 * (a pickle, {@code .pt}/{@code .bin}, or a broken safetensors file) does not stop the others: it is an error only
 * where a prompt names it, with the reason.
 */
public final class EmbeddingStore {
    private final List<Path> folders;
    private final Map<String, Embedding> byName;
    private final Map<String, InvalidInputException> unusable;

    private EmbeddingStore(List<Path> folders, Map<String, Embedding> byName,
            Map<String, InvalidInputException> unusable) {
        this.folders = folders;
        this.byName = byName;
        this.unusable = unusable;
    }

    /** No embeddings. */
    public static final EmbeddingStore NONE = new EmbeddingStore(List.of(), Map.of(), Map.of());

    /**
     * Reads every {@code .safetensors} file of the folders.
     *
     * @param folders the folders searched (recursively)
     * @return the store
     */
    public static EmbeddingStore of(List<Path> folders) {
        Map<String, Embedding> byName = new LinkedHashMap<>();
        Map<String, InvalidInputException> unusable = new LinkedHashMap<>();
        for (Path dir : folders) {
            if (!Files.isDirectory(dir)) {
                throw new InvalidInputException(dir + ": not a folder (an embeddings folder is needed)");
            }
            try (Stream<Path> s = Files.walk(dir)) {
                for (Path f : s.filter(Files::isRegularFile).sorted().toList()) {
                    String n = f.getFileName().toString();
                    String lower = n.toLowerCase(Locale.ROOT);
                    boolean safetensors = lower.endsWith(".safetensors");
                    if (!safetensors && !lower.endsWith(".pt") && !lower.endsWith(".bin")) {
                        continue;
                    }
                    String stem = n.substring(0, n.lastIndexOf('.'));
                    String rel = dir.relativize(f).toString().replace('\\', '/');
                    String relStem = rel.substring(0, rel.lastIndexOf('.'));
                    if (byName.containsKey(stem) || unusable.containsKey(stem)) {
                        continue;
                    }
                    try {
                        if (!safetensors) {
                            throw new InvalidInputException(f + ": a pickle embedding; pickle files can run code when"
                                    + " loaded and are not read. Convert it to safetensors first.");
                        }
                        Embedding e = Embedding.read(f);
                        byName.put(stem, e);
                        byName.putIfAbsent(relStem, e);
                    } catch (InvalidInputException e) {
                        unusable.put(stem, e);
                        unusable.putIfAbsent(relStem, e);
                    }
                }
            } catch (IOException e) {
                throw dev.sdcond.models.io.InputFiles.unreadable(dir, e);
            }
        }
        return new EmbeddingStore(List.copyOf(folders), Collections.unmodifiableMap(byName),
                Collections.unmodifiableMap(unusable));
    }

    /**
     * Whether folders were given (ComfyUI drops unknown {@code embedding:NAME} words only then).
     *
     * @return whether any folder was given
     */
    public boolean hasFolders() {
        return !folders.isEmpty();
    }

    /**
     * The names of the files found that cannot be used (using one is an error).
     *
     * @return the names whose files could not be read (using one is an error)
     */
    public java.util.Set<String> unusableNames() {
        return unusable.keySet();
    }

    /**
     * Every embedding, by name.
     *
     * @return every usable embedding by name
     */
    public Map<String, Embedding> all() {
        return byName;
    }

    /**
     * The embedding named {@code name}: a file stem, a path relative to its folder ({@code sub/name}), either with
     * or without {@code .safetensors}.
     *
     * @throws InvalidInputException when the name is a file that cannot be used (a pickle, or broken), with why
     * @param name an embedding's name
     * @return it, or empty
     */
    public Optional<Embedding> find(String name) {
        String key = name.endsWith(".safetensors") ? name.substring(0, name.length() - 12)
                : name.endsWith(".pt") || name.endsWith(".bin") ? name.substring(0, name.lastIndexOf('.')) : name;
        InvalidInputException bad = unusable.get(key);
        if (bad != null && !byName.containsKey(key)) {
            throw new InvalidInputException(bad.getMessage(), bad);
        }
        return Optional.ofNullable(byName.get(key));
    }
}
