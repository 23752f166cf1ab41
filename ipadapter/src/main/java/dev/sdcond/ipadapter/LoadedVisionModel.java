package dev.sdcond.ipadapter;

import dev.sdcond.models.clip.ClipVisionModel;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * A vision tower as loaded from disk (or generated); closing frees its weights.
 *
 * @param tower the tower
 * @param description what was loaded, for people
 * @param weightFiles the weight files read (empty for random weights)
 * @param metadata facts to record with outputs
 */
public record LoadedVisionModel(ClipVisionModel tower, String description, List<Path> weightFiles,
        Map<String, String> metadata, List<AutoCloseable> resources) implements AutoCloseable {
    @Override
    public void close() {
        dev.sdcond.models.io.Resources.closeAll(resources);
    }
}
