package dev.sdcond.cli;

import dev.sdcond.conditioning.ClipSkipConvention;
import dev.sdcond.conditioning.LayerChoice;
import dev.sdcond.conditioning.OutputNames;
import dev.sdcond.conditioning.Preset;
import dev.sdcond.conditioning.SyntaxMode;
import dev.sdcond.conditioning.TextRequest;
import dev.sdcond.conditioning.TextRequestBuilder;
import dev.sdcond.conditioning.prompt.ChunkLimit;
import dev.sdcond.conditioning.prompt.PromptStyle;
import dev.sdcond.models.InvalidInputException;
import dev.sdcond.models.lora.LoraSpec;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.OptionalInt;
import picocli.CommandLine.Option;

/**
 * The options that make a {@link TextRequest}, declared once for encode-text and the Spark job: a thin mapping, every
 * check is the request's (its messages get the option's name here).
 */
public final class TextOptions {
    @Option(names = "--preset", converter = Converters.PresetConverter.class,
            description = "sd15, sd2, sdxl, flux or sd3 (default: inferred from the model)")
    Preset preset;

    @Option(names = "--layer", description = "hidden_states index, negative from the end (-1 last, -2 penultimate)")
    Integer layer;

    @Option(names = "--final-norm", arity = "1", description = "apply final_layer_norm to the selected layer: true|false")
    Boolean finalNorm;

    @Option(names = "--clip-skip", description = "clip skip, in the convention of --clip-skip-style")
    Integer clipSkip;

    @Option(names = "--clip-skip-style",
            description = "a1111 (1 = last layer), diffusers (0 = default), comfy (-1 = last layer) (default: a1111;"
                    + " for sd3 and flux diffusers', as their users mean it)")
    ClipSkipConvention clipSkipStyle;

    @Option(names = "--style", defaultValue = "a1111", converter = Converters.StyleConverter.class,
            description = "prompt syntax, chunking and weighting: a1111, comfy or plain (default: a1111)")
    PromptStyle style = PromptStyle.A1111;

    @Option(names = "--strict-syntax", description = "unclosed brackets and stray closers are errors")
    boolean strict;

    @Option(names = "--max-chunks", paramLabel = "K", converter = Converters.NonNegative.class,
            description = "cut prompts after K 75-token chunks, with a warning (0 = no limit: any length, as the"
                    + " tools). Without it, a prompt over 64 chunks (about 4,800 tokens) is refused (exit 2)")
    Integer maxChunks;

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

    @Option(names = "--names", defaultValue = "sdcond",
            description = "tensor names: sdcond (hidden_states, pooled, negative_*), diffusers (prompt_embeds,"
                    + " pooled_prompt_embeds, negative_prompt_embeds, negative_pooled_prompt_embeds) or comfy (cond,"
                    + " pooled_output, negative_cond, negative_pooled_output) (default: sdcond)")
    OutputNames names = OutputNames.SDCOND;

    @Option(names = "--max-sequence-length", paramLabel = "L", converter = Converters.Positive.class,
            description = "T5 tokens per prompt for Flux and SD3 (diffusers' max_sequence_length: 512 for FLUX.1-dev,"
                    + " 256 for schnell and SD3, the defaults by preset), at most 512; not with --style comfy, which"
                    + " pads T5 prompts to at least 256 tokens (Flux) or 77 (SD3) and never cuts them")
    Integer maxSequenceLength;

    /**
     * The prompt style chosen (for front-end choices that depend on it).
     *
     * @return the style
     */
    public PromptStyle style() {
        return style;
    }

    /**
     * The --layer value, for a front end that also encodes images (the Spark job's image mode).
     *
     * @return the index, or empty when not given
     */
    public OptionalInt layer() {
        return layer == null ? OptionalInt.empty() : OptionalInt.of(layer);
    }

    /**
     * The request these options make, validated before any model work.
     *
     * @param models the --model values
     * @param kernels --dtype, --attention, --linear
     * @return the request
     * @throws InvalidInputException naming the option at fault
     */
    public TextRequest request(List<String> models, KernelOptions kernels) {
        TextRequestBuilder b = TextRequest.builder().setModels(models).optStyle(style)
                .optSyntax(strict ? SyntaxMode.STRICT : SyntaxMode.TOLERANT).optChunkLimit(truncate ? ChunkLimit.cutAt(1)
                        : maxChunks == null ? ChunkLimit.DEFAULT : ChunkLimit.cutAt(maxChunks))
                .optLayer(layerChoice()).optNames(names).optDtype(kernels.dtype).optAttention(kernels.attention)
                .optLinear(kernels.linear);
        if (preset != null) {
            b.optPreset(preset);
        }
        if (zeroEmptyNegative != null) {
            b.optZeroEmptyNegative(zeroEmptyNegative);
        }
        loras.forEach(b::addLora);
        loraDirs.forEach(b::addLoraDir);
        embeddingDirs.forEach(b::addEmbeddingDir);
        if (maxSequenceLength != null) {
            b.optT5Length(maxSequenceLength);
        }
        try {
            return b.build();
        } catch (InvalidInputException e) {
            String option = maxSequenceLength != null && e.getMessage().contains("T5 length") ? "--max-sequence-length: "
                    : clipSkip != null && e.getMessage().startsWith("clip skip") ? "--clip-skip: "
                    : layer != null && e.getMessage().contains("layer") ? "--layer: " : "";
            throw new InvalidInputException(option + e.getMessage(), e);
        }
    }

    private LayerChoice layerChoice() {
        if (clipSkip != null && layer != null) {
            throw new InvalidInputException("give --layer or --clip-skip, not both");
        }
        if (clipSkip != null) {
            try {
                return new LayerChoice.ClipSkip(clipSkip, Optional.ofNullable(clipSkipStyle),
                        Optional.ofNullable(finalNorm));
            } catch (InvalidInputException e) {
                String why = e.getCause() != null ? e.getCause().getMessage() : e.getMessage();
                throw new InvalidInputException("--clip-skip " + clipSkip + (clipSkipStyle == null ? ""
                        : " (--clip-skip-style " + clipSkipStyle.name().toLowerCase(Locale.ROOT) + ")") + ": " + why, e);
            }
        }
        if (layer != null || finalNorm != null) {
            return new LayerChoice.Index(layer != null ? OptionalInt.of(layer) : OptionalInt.empty(),
                    Optional.ofNullable(finalNorm));
        }
        return LayerChoice.PRESET;
    }
}
