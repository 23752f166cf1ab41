package dev.sdcond.spark;

import dev.sdcond.conditioning.ClipSkipConvention;
import dev.sdcond.conditioning.EncodeOptions;
import dev.sdcond.conditioning.LoadedTextModel;
import dev.sdcond.conditioning.OutputNames;
import dev.sdcond.conditioning.Preset;
import dev.sdcond.conditioning.TextModels;
import dev.sdcond.conditioning.embeddings.EmbeddingStore;
import dev.sdcond.conditioning.prompt.PromptStyle;
import dev.sdcond.models.Compute;
import dev.sdcond.models.Precision;
import java.io.Serializable;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * Everything that decides a text model and its outputs, shipped to the executors: the model loaded once per executor
 * JVM and setting ({@link ExecutorModels}). Values are the command line's words, checked on the driver by
 * {@link #check()} before any task starts.
 *
 * @param models the model specs (a pipeline folder, one folder per encoder, a T5 file, {@code builtin:NAME})
 * @param preset the preset's name, or null to infer it from the model
 * @param style the prompt style ({@code a1111}, {@code comfy}, {@code plain})
 * @param strict whether unclosed brackets and stray closers are errors (the row goes to the errors table)
 * @param maxChunks the chunk limit per prompt (0: none)
 * @param clipSkip the clip skip value, or null for the preset's layers
 * @param clipSkipStyle whose numbering {@code clipSkip} uses ({@code a1111}, {@code diffusers}, {@code comfy})
 * @param computeDtype the dtype the towers compute in ({@code float32}, {@code bfloat16}, {@code float16})
 * @param names the output names ({@code sdcond}, {@code diffusers}, {@code comfy})
 * @param embeddings textual-inversion embedding folders (every executor must read them)
 * @param loras LoRAs merged into the text encoders, {@code FILE[:STRENGTH]}
 */
public record TextSettings(List<String> models, String preset, String style, boolean strict, int maxChunks,
        Integer clipSkip, String clipSkipStyle, String computeDtype, String names, List<String> embeddings,
        List<String> loras) implements Serializable {

    /**
     * Copies the model list.
     *
     * @param models the model specs
     * @param preset the preset, or null
     * @param style the prompt style
     * @param strict strict syntax
     * @param maxChunks the chunk limit
     * @param clipSkip the clip skip, or null
     * @param clipSkipStyle its numbering
     * @param computeDtype the compute dtype
     * @param names the output names
     * @param embeddings embedding folders
     * @param loras LoRAs
     */
    public TextSettings {
        models = List.copyOf(models);
        embeddings = List.copyOf(embeddings);
        loras = List.copyOf(loras);
    }

    /**
     * Checks every value, so that a typo fails on the driver before any task.
     *
     * @throws dev.sdcond.models.InvalidInputException naming the bad value
     */
    public void check() {
        if (models.isEmpty()) {
            throw new dev.sdcond.models.InvalidInputException("no model given");
        }
        presetOrEmpty();
        PromptStyle.parse(style);
        Precision.parse(computeDtype);
        outputNames();
        convention();
        loras.forEach(dev.sdcond.models.lora.LoraSpec::parse);
        for (String e : embeddings) {
            if (!java.nio.file.Files.isDirectory(java.nio.file.Path.of(e))) {
                throw new dev.sdcond.models.InvalidInputException(e + ": not a folder of embeddings");
            }
        }
        if (maxChunks < 0) {
            throw new dev.sdcond.models.InvalidInputException("the chunk limit is 0 (none) or more, got " + maxChunks);
        }
    }

    /**
     * Loads the model (on an executor: through {@link ExecutorModels}, once per JVM and device).
     *
     * @param device where it computes
     * @return the model; close it to free its weights
     */
    LoadedTextModel load(ai.djl.Device device) {
        return TextModels.open(models, presetOrEmpty(), new Compute(device, Precision.parse(computeDtype)),
                loras.stream().map(dev.sdcond.models.lora.LoraSpec::parse).toList());
    }

    /**
     * The prompt handling for the loaded model's preset.
     *
     * @param p the preset
     * @return the options
     */
    EncodeOptions options(Preset p) {
        PromptStyle st = PromptStyle.parse(style);
        EncodeOptions o = EncodeOptions.DEFAULT.withStyle(st).withStrictSyntax(strict).withMaxChunks(maxChunks)
                .withEmbeddings(st == PromptStyle.PLAIN || embeddings.isEmpty() ? EmbeddingStore.NONE
                        : EmbeddingStore.of(embeddings.stream().map(java.nio.file.Path::of).toList()));
        return clipSkip == null ? o : o.withLayer(convention().layer(clipSkip, p));
    }

    /**
     * The output names.
     *
     * @return the names
     */
    OutputNames outputNames() {
        return OutputNames.valueOf(names.toUpperCase(Locale.ROOT));
    }

    private ClipSkipConvention convention() {
        return ClipSkipConvention.valueOf(clipSkipStyle.toUpperCase(Locale.ROOT));
    }

    private Optional<Preset> presetOrEmpty() {
        return preset == null || preset.isBlank() ? Optional.empty() : Optional.of(Preset.parse(preset));
    }
}
