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
 * @param weights the checkpoint read (empty for random weights); {@link #weightsSha256} hashes what was read
 * @param metadata facts to record with outputs
 */
public record LoadedVisionModel(ClipVisionModel tower, String description, List<dev.sdcond.models.safetensors.TensorSource> weights,
        Map<String, String> metadata, List<AutoCloseable> resources) implements AutoCloseable {
    /**
     * The provenance hash of the weights read ({@link dev.sdcond.models.safetensors.TensorSource#usedSha256()}).
     *
     * @return the SHA-256 of what was read
     */
    public String weightsSha256() {
        return dev.sdcond.models.safetensors.TensorSource.usedSha256(weights);
    }

    /**
     * How many tensors were read from the checkpoint.
     *
     * @return the number of tensors read
     */
    public int tensorsRead() {
        return dev.sdcond.models.safetensors.TensorSource.tensorsRead(weights);
    }

    @Override
    public void close() {
        dev.sdcond.models.io.Resources.closeAll(resources);
    }
}
