package dev.sdcond.conditioning;

import dev.sdcond.conditioning.tokenizer.T5Tokenizer;
import dev.sdcond.models.checkpoint.Checkpoints;
import dev.sdcond.models.Compute;
import dev.sdcond.models.InvalidInputException;
import dev.sdcond.models.layout.T5Layout;
import dev.sdcond.models.registry.ModelFolders;
import dev.sdcond.models.safetensors.TensorSource;
import dev.sdcond.models.t5.T5Config;
import dev.sdcond.models.t5.T5EncoderModel;
import dev.sdcond.models.weights.PrefixedSource;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * Where a Flux or SD3 T5 encoder and its tokenizer come from: a diffusers {@code text_encoder_2/} or
 * {@code text_encoder_3/} folder (its {@code config.json}, the {@code tokenizer_N/} beside it), a T5 file on its own
 * (ComfyUI's {@code t5xxl_*.safetensors}, config from its shapes), or the {@code text_encoders.t5xxl.transformer.}
 * part of an SD3 single-file checkpoint. A file has no tokenizer: its {@code tokenizer.json} is found beside it, or in
 * a tokenizer folder given as one more model. Loaded at Flux dev's sequence length 512; the weights stay open until the
 * model is closed, so that the provenance hash covers them.
 */
final class T5Models {
    private T5Models() {}

    /**
     * Whether a spec is a T5 encoder on its own.
     *
     * @param spec a model path
     * @return true for a folder whose config says {@code model_type: t5}, or a safetensors file with a T5 encoder at the
     *     top level and no CLIP tower
     */
    static boolean isT5(Path spec) {
        if (Files.isDirectory(spec)) {
            return ModelFolders.isT5Encoder(spec);
        }
        if (!Files.isRegularFile(spec)) {
            return false;
        }
        try (TensorSource src = Checkpoints.open(spec)) {
            return T5Layout.prefix(src).filter(String::isEmpty).isPresent();
        }
    }

    /**
     * Whether a spec is a tokenizer folder and nothing else: a {@code tokenizer.json} without weights or config.
     *
     * @param spec a model path
     * @return whether it only holds a tokenizer
     */
    static boolean isTokenizerFolder(Path spec) {
        return Files.isDirectory(spec) && Files.isRegularFile(spec.resolve("tokenizer.json"))
                && !Files.exists(spec.resolve("config.json")) && !Files.exists(spec.resolve("model.safetensors"))
                && !Files.exists(spec.resolve("model.safetensors.index.json"));
    }

    /**
     * Loads a T5 folder or file.
     *
     * @param spec the folder or file
     * @param tokenizerFolder a tokenizer folder given beside it, if any
     * @param compute device and dtype
     * @param resources where what must be closed is added
     * @param files where the weights are added, for the provenance hash
     * @return the encoder at length 512
     */
    static T5Encoder open(Path spec, Optional<Path> tokenizerFolder, Compute compute, List<AutoCloseable> resources,
            List<TensorSource> files) {
        TensorSource weights = Checkpoints.open(spec);
        resources.add(weights);
        files.add(weights);
        Path tokenizer;
        T5Config config;
        if (Files.isDirectory(spec)) {
            Path sibling = ModelFolders.siblingTokenizer(spec, ModelFolders.TEXT_ENCODERS.indexOf(
                    spec.getFileName().toString()));
            tokenizer = tokenizerFolder.orElse(sibling != null ? sibling : spec);
            config = T5Config.read(spec.resolve("config.json"));
        } else {
            tokenizer = fileTokenizer(spec, tokenizerFolder);
            config = T5Config.fromShapes(n -> PrefixedSource.of(weights).shape(n), spec.toString());
        }
        return load(PrefixedSource.of(weights), config, tokenizer, compute, resources);
    }

    /**
     * Loads the T5 encoder inside a checkpoint that also holds CLIP towers (an SD3 single file).
     *
     * @param src the open checkpoint (already among the resources and the hashed files)
     * @param file its path, for messages and the tokenizer beside it
     * @param tokenizerFolder a tokenizer folder given beside it, if any
     * @param compute device and dtype
     * @param resources where what must be closed is added
     * @return the encoder at length 512, or empty when the checkpoint holds none
     */
    static Optional<T5Encoder> inCheckpoint(TensorSource src, Path file, Optional<Path> tokenizerFolder,
            Compute compute, List<AutoCloseable> resources) {
        Optional<String> prefix = T5Layout.prefix(src);
        if (prefix.isEmpty()) {
            return Optional.empty();
        }
        PrefixedSource params = new PrefixedSource(src, prefix.get());
        T5Config config = T5Config.fromShapes(params::shape, file + " (" + prefix.get() + ")");
        return Optional.of(load(params, config, fileTokenizer(file, tokenizerFolder), compute, resources));
    }

    private static T5Encoder load(PrefixedSource params, T5Config config, Path tokenizer, Compute compute,
            List<AutoCloseable> resources) {
        T5Tokenizer tok = T5Tokenizer.fromFolder(tokenizer);
        resources.add(tok);
        T5EncoderModel model = T5EncoderModel.load(params, config, compute);
        resources.add(model);
        return new T5Encoder(model, tok, 512);
    }

    /** The tokenizer folder given, else the file's own folder when it holds a tokenizer.json. */
    private static Path fileTokenizer(Path file, Optional<Path> given) {
        if (given.isPresent()) {
            return given.get();
        }
        Path dir = file.toAbsolutePath().getParent();
        if (dir != null && Files.isRegularFile(dir.resolve("tokenizer.json"))) {
            return dir;
        }
        throw new InvalidInputException(file + ": a T5 encoder stored without its tokenizer: put the T5 tokenizer.json"
                + " (google/t5-v1_1-xxl's, or a Flux or SD3 pipeline's tokenizer_2/ or tokenizer_3/) beside it, or give"
                + " the folder holding it as one more model");
    }
}
