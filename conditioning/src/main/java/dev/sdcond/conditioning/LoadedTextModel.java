package dev.sdcond.conditioning;

import java.util.List;
import java.util.Map;

/**
 * A preset's text encoders as loaded from disk (or generated), ready to encode; closing frees weights and tokenizers.
 *
 * @param conditioner the encoder pipeline
 * @param description what was loaded, for people
 * @param weights the checkpoints read (empty for random weights); {@link #weightsSha256} hashes what was read
 * @param metadata facts to record with outputs (e.g. {@code random_weights}, {@code loras})
 * @param warnings what a user should know about the loading (e.g. LoRA modules that applied to nothing)
 */
public record LoadedTextModel(TextConditioner conditioner, String description, List<dev.sdcond.models.safetensors.TensorSource> weights,
        Map<String, String> metadata, List<String> warnings, List<AutoCloseable> resources) implements AutoCloseable {

    /**
     * The provenance hash of the weights (see {@link dev.sdcond.models.safetensors.TensorSource#usedSha256()}): one per
     * checkpoint, {@code ;}-separated; "none" for random weights.
     *
     * @return the SHA-256 of what was read
     */
    public String weightsSha256() {
        return dev.sdcond.models.safetensors.TensorSource.usedSha256(weights);
    }

    /**
     * How many tensors were read from the checkpoints (what {@link #weightsSha256} covers besides the headers).
     *
     * @return the number of tensors read
     */
    public int tensorsRead() {
        return dev.sdcond.models.safetensors.TensorSource.tensorsRead(weights);
    }

    /**
     * This model with another T5 sequence length (diffusers' {@code max_sequence_length}), sharing its weights: close
     * only one of the two.
     *
     * @param length 1 to 512
     * @return the model
     * @throws dev.sdcond.models.InvalidInputException when the model has no T5 encoder, or for a length out of range
     */
    public LoadedTextModel withT5Length(int length) {
        if (conditioner.t5().isEmpty()) {
            throw new dev.sdcond.models.InvalidInputException("a T5 sequence length was given, but " + description
                    + " has no T5 encoder (Flux, SD3)");
        }
        return new LoadedTextModel(conditioner.withT5Length(length), description, weights, metadata, warnings,
                resources);
    }

    @Override
    public void close() {
        dev.sdcond.models.io.Resources.closeAll(resources);
    }
}
