package dev.sdcond.conditioning;

import dev.sdcond.models.InvalidInputException;
import dev.sdcond.models.registry.Builtin;
import dev.sdcond.models.registry.ModelFolders;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * What a user named as a text model, read once: a builtin model, or the local parts of one pipeline. Opening follows
 * it one way ({@link TextModels}): spec, then each part's layout and tensor source, then its tower.
 */
public sealed interface ModelSpec {

    /**
     * {@code builtin:NAME}: a real architecture with seeded random weights.
     *
     * @param name the spec as given
     */
    record BuiltinModel(String name) implements ModelSpec {}

    /**
     * Local files and folders, sorted into their roles.
     *
     * @param clip the CLIP parts, in encoder order: Hugging Face text-model folders, single-file checkpoints (SDXL's
     *     holds both towers), OpenCLIP files or folders; a diffusers pipeline's {@code text_encoder/} and
     *     {@code text_encoder_2/}
     * @param t5 the T5 encoder (a folder, ComfyUI's file, or a pipeline's {@code text_encoder_2/} or
     *     {@code text_encoder_3/}); empty when none is given on its own (an SD3 single file carries its own)
     * @param t5Tokenizer a T5 tokenizer folder given beside a file that has none
     */
    record Parts(List<Path> clip, Optional<Path> t5, Optional<Path> t5Tokenizer) implements ModelSpec {
        /**
         * Copies the lists.
         *
         * @param clip see the record's
         * @param t5 see the record's
         * @param t5Tokenizer see the record's
         */
        public Parts {
            clip = List.copyOf(clip);
        }
    }

    /**
     * Reads what a user gave: one spec (a builtin model, a diffusers pipeline folder, a model folder or file), or one
     * per part of a pipeline (SDXL: CLIP-L, then bigG; a T5 file or folder; a T5 tokenizer folder).
     *
     * @param specs the specs, as given
     * @return the spec
     * @throws InvalidInputException for no spec, an empty one, a builtin model among others, two T5 encoders, or a T5
     *     tokenizer folder without a T5
     */
    static ModelSpec parse(List<String> specs) {
        if (specs.isEmpty()) {
            throw new InvalidInputException("no model given");
        }
        if (specs.size() == 1 && Builtin.isBuiltin(specs.get(0))) {
            return new BuiltinModel(specs.get(0));
        }
        List<Path> clip = new ArrayList<>();
        Path t5 = null;
        Path tokenizer = null;
        List<Path> pipeline = specs.size() == 1 ? ModelFolders.textEncoders(Path.of(specs.get(0))) : List.of();
        List<Path> paths = !pipeline.isEmpty() ? pipeline : specs.stream().map(ModelSpec::path).toList();
        for (Path p : paths) {
            if (pipeline.isEmpty() && T5Models.isTokenizerFolder(p)) {
                tokenizer = p;
            } else if (pipeline.isEmpty() ? T5Models.isT5(p) : ModelFolders.isT5Encoder(p)) {
                if (t5 != null) {
                    throw new InvalidInputException("two T5 encoders given: " + t5 + " and " + p);
                }
                t5 = p;
            } else {
                clip.add(p);
            }
        }
        if (tokenizer != null && t5 == null && clip.isEmpty()) {
            throw new InvalidInputException(tokenizer + ": a tokenizer folder, given without a T5 encoder");
        }
        return new Parts(clip, Optional.ofNullable(t5), Optional.ofNullable(tokenizer));
    }

    private static Path path(String spec) {
        if (spec.isBlank()) {
            throw new InvalidInputException("a model spec is empty");
        }
        if (Builtin.isBuiltin(spec)) {
            throw new InvalidInputException("a builtin model cannot be combined with others: " + spec);
        }
        return Path.of(spec);
    }
}
