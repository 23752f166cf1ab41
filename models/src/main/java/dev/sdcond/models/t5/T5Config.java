package dev.sdcond.models.t5;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sdcond.models.InvalidInputException;
import java.io.IOException;
import java.nio.file.Path;

/**
 * The T5 encoder's config, as transformers' {@code T5Config} reads {@code config.json}: v1.1 style (gated GELU
 * feed-forward with the tanh GELU, no biases, RMS norms, relative position buckets).
 *
 * @param dModel the hidden width (XXL: 4096)
 * @param dKv the width of one head (XXL: 64)
 * @param dFf the feed-forward width (XXL: 10240)
 * @param numHeads the heads (XXL: 64)
 * @param numLayers the blocks (XXL: 24)
 * @param vocabSize the embedding rows (XXL: 32128; the tokenizer has fewer ids)
 * @param layerNormEpsilon the RMS norms' epsilon
 * @param numBuckets relative position buckets (32: 16 per direction)
 * @param maxDistance the distance beyond which buckets are shared (128)
 * @param feedForwardProj {@code gated-gelu} (v1.1, Flux, SD3) or {@code relu} (v1.0, not supported here)
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record T5Config(
        @JsonProperty("d_model") int dModel,
        @JsonProperty("d_kv") int dKv,
        @JsonProperty("d_ff") int dFf,
        @JsonProperty("num_heads") int numHeads,
        @JsonProperty("num_layers") int numLayers,
        @JsonProperty("vocab_size") int vocabSize,
        @JsonProperty("layer_norm_epsilon") double layerNormEpsilon,
        @JsonProperty("relative_attention_num_buckets") int numBuckets,
        @JsonProperty("relative_attention_max_distance") int maxDistance,
        @JsonProperty("feed_forward_proj") String feedForwardProj) {

    /**
     * Checks the sizes and fills transformers' defaults.
     *
     * @throws InvalidInputException for sizes that are not positive, or a feed-forward other than gated GELU
     * @param dModel the hidden width
     * @param dKv the width of one head
     * @param dFf the feed-forward width
     * @param numHeads the heads
     * @param numLayers the blocks
     * @param vocabSize the embedding rows
     * @param layerNormEpsilon the RMS norms' epsilon (0: 1e-6)
     * @param numBuckets relative position buckets (0: 32)
     * @param maxDistance where buckets are shared (0: 128)
     * @param feedForwardProj {@code gated-gelu}
     */
    public T5Config {
        for (int v : new int[] {dModel, dKv, dFf, numHeads, numLayers, vocabSize}) {
            if (v <= 0) {
                throw new InvalidInputException("T5 config: d_model, d_kv, d_ff, num_heads, num_layers and vocab_size"
                        + " must be positive integers");
            }
        }
        layerNormEpsilon = layerNormEpsilon > 0 ? layerNormEpsilon : 1e-6;
        numBuckets = numBuckets > 0 ? numBuckets : 32;
        maxDistance = maxDistance > 0 ? maxDistance : 128;
        feedForwardProj = feedForwardProj == null ? "relu" : feedForwardProj;
        if (!feedForwardProj.equals("gated-gelu")) {
            throw new InvalidInputException("T5 config: feed_forward_proj '" + feedForwardProj + "' is not supported"
                    + " (the T5 v1.1 encoders of Flux and SD3 use gated-gelu)");
        }
    }

    /**
     * Reads a {@code config.json}.
     *
     * @param file the file
     * @return the config
     * @throws InvalidInputException when it cannot be read or is not a valid T5 config
     */
    public static T5Config read(Path file) {
        try {
            return new ObjectMapper().readValue(dev.sdcond.models.io.InputFiles.readUtf8(file), T5Config.class);
        } catch (IOException e) {
            throw new InvalidInputException(file + ": not a valid T5 config: " + e.getMessage(), e);
        } catch (InvalidInputException e) {
            throw new InvalidInputException(file + ": " + e.getMessage(), e);
        }
    }

    /**
     * The width of all heads together.
     *
     * @return {@code num_heads * d_kv} (equal to d_model in the v1.1 models)
     */
    public int innerDim() {
        return numHeads * dKv;
    }
}
