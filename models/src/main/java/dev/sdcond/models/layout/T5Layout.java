package dev.sdcond.models.layout;

import dev.sdcond.models.safetensors.TensorSource;
import java.util.Optional;
import java.util.TreeSet;

/**
 * Finds a T5 encoder in a checkpoint from its key names: transformers' names ({@code encoder.block.N.layer.*},
 * {@code shared.weight}) at the top level (an HF {@code T5EncoderModel} file, ComfyUI's {@code t5xxl_*.safetensors})
 * or behind a prefix (SD3 single-file checkpoints: {@code text_encoders.t5xxl.transformer.}).
 */
public final class T5Layout {
    private static final String FIRST_QUERY = "encoder.block.0.layer.0.SelfAttention.q.weight";

    private T5Layout() {}

    /**
     * The prefix of the T5 encoder in the checkpoint.
     *
     * @param src the checkpoint
     * @return the prefix ({@code ""} at the top level), or empty when it holds no T5 encoder
     */
    public static Optional<String> prefix(TensorSource src) {
        for (String k : new TreeSet<>(src.names())) {
            if (k.endsWith(FIRST_QUERY) && (k.length() == FIRST_QUERY.length()
                    || k.charAt(k.length() - FIRST_QUERY.length() - 1) == '.')) {
                return Optional.of(k.substring(0, k.length() - FIRST_QUERY.length()));
            }
        }
        return Optional.empty();
    }
}
