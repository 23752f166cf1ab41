package dev.sdcond.conditioning;

import java.util.List;
import java.util.Map;

/**
 * A preset's text encoders as loaded from disk (or generated), ready to encode; closing frees weights and tokenizers.
 *
 * @param conditioner the encoder pipeline
 * @param description what was loaded, for people
 * @param weightFiles the weight files read (empty for random weights), e.g. to hash them for provenance
 * @param metadata facts to record with outputs (e.g. {@code random_weights})
 */
public record LoadedTextModel(TextConditioner conditioner, String description, List<java.nio.file.Path> weightFiles,
        Map<String, String> metadata, List<AutoCloseable> resources) implements AutoCloseable {

    @Override
    public void close() {
        dev.sdcond.models.io.Resources.closeAll(resources);
    }
}
