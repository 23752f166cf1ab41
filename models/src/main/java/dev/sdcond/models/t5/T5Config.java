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
        for (long product : new long[] {(long) numHeads * dKv, (long) vocabSize * dModel, (long) dFf * dModel}) {
            if (product > Integer.MAX_VALUE) { // XXL: 64 x 64 = 4096, 32128 x 4096, 10240 x 4096
                throw new InvalidInputException("T5 config: num_heads x d_kv (" + numHeads + " x " + dKv + "), vocab_size"
                        + " x d_model (" + vocabSize + " x " + dModel + ") and d_ff x d_model (" + dFf + " x " + dModel
                        + ") must each be under 2^31 (T5 XXL's are 4,096, 131,596,288 and 41,943,040)");
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
            ObjectMapper json = new ObjectMapper();
            com.fasterxml.jackson.databind.JsonNode root = json.readTree(dev.sdcond.models.io.InputFiles.readUtf8(file));
            for (String key : new String[] {"relative_attention_num_buckets", "relative_attention_max_distance",
                "layer_norm_epsilon"}) { // 0 stands for "absent" in the record: a given value must be positive
                if (root != null && root.has(key) && !(root.get(key).isNumber() && root.get(key).asDouble() > 0)) {
                    throw new InvalidInputException(key + " is " + root.get(key) + "; it must be a positive number");
                }
            }
            return json.treeToValue(root, T5Config.class);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            if (e.getCause() instanceof InvalidInputException bad) { // thrown by the constructor, wrapped
                throw new InvalidInputException(file + ": " + bad.getMessage(), bad);
            }
            throw new InvalidInputException(file + ": not a valid T5 config: " + e.getOriginalMessage(), e);
        } catch (IOException e) {
            throw new InvalidInputException(file + ": not a valid T5 config: " + e.getMessage(), e);
        } catch (InvalidInputException e) {
            throw new InvalidInputException(file + ": " + e.getMessage(), e);
        }
    }

    /**
     * The config of a T5 v1.1 encoder stored without one (ComfyUI's {@code t5xxl_*.safetensors}, SD3 single-file
     * checkpoints), from its shapes: widths from the embedding and the first block, blocks counted, buckets and heads
     * from block 0's position bias table ([buckets, heads]), the head width from the attention width; epsilon 1e-6,
     * distance 128 and the gated GELU of every v1.1 model.
     *
     * @param shape the stored shape of a parameter by its transformers name
     * @param what the checkpoint, for messages
     * @return the config
     * @throws InvalidInputException when a shape the config is read from is missing or does not fit v1.1
     */
    public static T5Config fromShapes(java.util.function.Function<String, java.util.Optional<long[]>> shape,
            String what) {
        long[] embed = shape.apply("shared.weight").or(() -> shape.apply("encoder.embed_tokens.weight"))
                .orElseThrow(() -> new InvalidInputException(what + ": a T5 encoder without shared.weight or"
                        + " encoder.embed_tokens.weight"));
        String b0 = "encoder.block.0.layer.";
        if (shape.apply(b0 + "1.DenseReluDense.wi.weight").isPresent()) {
            throw new InvalidInputException(what + ": a T5 v1.0 encoder (DenseReluDense.wi: ReLU feed-forward); Flux"
                    + " and SD3 use T5 v1.1 (gated GELU)");
        }
        long[] q = require(shape, b0 + "0.SelfAttention.q.weight", what);
        long[] wi = require(shape, b0 + "1.DenseReluDense.wi_0.weight", what);
        long[] table = require(shape, b0 + "0.SelfAttention.relative_attention_bias.weight", what);
        int layers = 0;
        while (shape.apply("encoder.block." + layers + ".layer.0.SelfAttention.q.weight").isPresent()) {
            layers++;
        }
        if (embed.length != 2 || q.length != 2 || wi.length != 2 || table.length != 2 || table[1] <= 0
                || q[0] % table[1] != 0) {
            throw new InvalidInputException(what + ": the shapes of this T5 encoder do not fit T5 v1.1 (embedding "
                    + java.util.Arrays.toString(embed) + ", attention " + java.util.Arrays.toString(q) + ")");
        }
        return new T5Config((int) embed[1], (int) (q[0] / table[1]), (int) wi[0], (int) table[1], layers,
                (int) embed[0], 1e-6, (int) table[0], 128, "gated-gelu");
    }

    private static long[] require(java.util.function.Function<String, java.util.Optional<long[]>> shape, String name,
            String what) {
        return shape.apply(name).orElseThrow(() -> new InvalidInputException(what + ": a T5 encoder without " + name));
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
