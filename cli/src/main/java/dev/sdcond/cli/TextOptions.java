package dev.sdcond.cli;

import dev.sdcond.conditioning.ClipSkipConvention;
import dev.sdcond.conditioning.EncodeOptions;
import dev.sdcond.conditioning.LayerSelection;
import dev.sdcond.conditioning.Preset;
import dev.sdcond.conditioning.embeddings.EmbeddingStore;
import dev.sdcond.conditioning.prompt.PromptStyle;
import dev.sdcond.models.InvalidInputException;
import dev.sdcond.models.lora.LoraSpec;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import picocli.CommandLine.Option;

/** The prompt-handling options of encode-text, bound to the library's {@link EncodeOptions} and layer choice. */
final class TextOptions {
    @Option(names = "--layer", description = "hidden_states index, negative from the end (-1 last, -2 penultimate)")
    Integer layer;

    @Option(names = "--final-norm", arity = "1", description = "apply final_layer_norm to the selected layer: true|false")
    Boolean finalNorm;

    @Option(names = "--clip-skip", description = "clip skip, in the convention of --clip-skip-style")
    Integer clipSkip;

    @Option(names = "--clip-skip-style", defaultValue = "a1111",
            description = "a1111 (1 = last layer), diffusers (0 = default), comfy (-1 = last layer) (default: a1111)")
    ClipSkipConvention clipSkipStyle;

    @Option(names = "--style", defaultValue = "a1111", converter = Converters.StyleConverter.class,
            description = "prompt syntax, chunking and weighting: a1111, comfy or plain (default: a1111)")
    PromptStyle style;

    @Option(names = "--strict-syntax", description = "unclosed brackets and stray closers are errors")
    boolean strict;

    @Option(names = "--max-chunks", defaultValue = "0", converter = Converters.NonNegative.class,
            description = "at most this many 75-token chunks per prompt; more is cut with a warning (0 = no limit)")
    int maxChunks;

    @Option(names = "--truncate", description = "classic 77-token truncation (= --max-chunks 1)")
    boolean truncate;

    @Option(names = "--zero-empty-negative", arity = "1",
            description = "all-zero negative for an empty negative prompt: true|false (default: the preset's; sdxl: true)")
    Boolean zeroEmptyNegative;

    @Option(names = "--lora", paramLabel = "FILE[:STRENGTH]", converter = Converters.LoraConverter.class,
            description = "merge a LoRA's text-encoder weights (kohya or diffusers/PEFT keys) at this strength"
                    + " (default 1.0); repeat to add several")
    List<LoraSpec> loras = new ArrayList<>();

    @Option(names = "--lora-dir", paramLabel = "DIR",
            description = "with --style a1111: where <lora:NAME:W> tags in a prompt find NAME.safetensors (searched"
                    + " recursively; repeatable)")
    List<Path> loraDirs = new ArrayList<>();

    @Option(names = "--embeddings", paramLabel = "DIR",
            description = "textual-inversion embeddings (safetensors; searched recursively; repeatable): A1111 uses"
                    + " one where its file name appears in the prompt, ComfyUI where the prompt says embedding:NAME")
    List<Path> embeddingDirs = new ArrayList<>();

    /** The combinations that exclude each other, and the clip-skip value's range, checked before any work. */
    void check() {
        if (clipSkip != null && layer != null) {
            throw new InvalidInputException("give --layer or --clip-skip, not both");
        }
        if (clipSkip != null) {
            layer(Preset.SD15);
        }
    }

    /** The options without the layer (which depends on the model's preset). */
    EncodeOptions encodeOptions() {
        EncodeOptions o = EncodeOptions.DEFAULT.withStyle(style).withStrictSyntax(strict)
                .withMaxChunks(truncate ? 1 : maxChunks)
                .withEmbeddings(style == PromptStyle.PLAIN ? EmbeddingStore.NONE : EmbeddingStore.of(embeddingDirs));
        return zeroEmptyNegative == null ? o : o.withZeroEmptyNegative(zeroEmptyNegative);
    }

    /** The options with the layer they select in a preset (or the preset's own). */
    EncodeOptions withLayer(EncodeOptions o, Preset p) {
        LayerSelection l = layer(p);
        return l == null ? o : o.withLayer(l);
    }

    /** The layer the options select in a preset, or null for the preset's own. */
    private LayerSelection layer(Preset p) {
        boolean defaultNorm = p.encoders().get(0).layer().finalNorm();
        if (clipSkip != null) {
            LayerSelection l;
            try {
                l = clipSkipStyle.layer(clipSkip, p);
            } catch (InvalidInputException e) {
                throw new InvalidInputException("--clip-skip " + clipSkip + " (--clip-skip-style "
                        + clipSkipStyle.name().toLowerCase(Locale.ROOT) + "): " + e.getMessage(), e);
            }
            return finalNorm == null ? l : new LayerSelection(l.index(), finalNorm);
        }
        if (layer != null || finalNorm != null) {
            int idx = layer != null ? layer : p.encoders().get(0).layer().index();
            return new LayerSelection(idx, finalNorm != null ? finalNorm : defaultNorm);
        }
        return null;
    }
}
