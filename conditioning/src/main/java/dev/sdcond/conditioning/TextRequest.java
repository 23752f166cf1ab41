package dev.sdcond.conditioning;

import dev.sdcond.conditioning.embeddings.EmbeddingStore;
import dev.sdcond.conditioning.prompt.ChunkLimit;
import dev.sdcond.conditioning.prompt.PromptStyle;
import dev.sdcond.models.AttentionKernel;
import dev.sdcond.models.Compute;
import dev.sdcond.models.InvalidInputException;
import dev.sdcond.models.LinearKernel;
import dev.sdcond.models.Precision;
import dev.sdcond.models.lora.LoraSpec;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * Everything that decides the text conditioning of a prompt: the model, how prompts are read, which layers are taken,
 * the LoRAs and embeddings, the tensor names and the compute dtype and kernels. One immutable, validated value that the
 * command line, the Spark job and the library all build (with {@link #builder()}) and run; two equal requests give
 * the same tensors. Where it runs (the device) is given when a model is opened.
 *
 * @param models the model specs: one (a pipeline folder, a single-file checkpoint, {@code builtin:NAME}) or one per
 *     encoder (SDXL: CLIP-L, then bigG; a T5 file for Flux and SD3)
 * @param preset the preset; empty to infer it from the model
 * @param style whose syntax, chunking and weighting
 * @param syntax whether bad bracket syntax is tolerated, as the tools do, or refused
 * @param commaBacktrack A1111's comma padding backtrack (20; 0 = off)
 * @param chunkLimit how many 75-token chunks a prompt may take, and what a longer one gets (default: over 64 refused)
 * @param layer the hidden layer taken from every encoder
 * @param zeroEmptyNegative all-zero conditioning for an empty negative prompt; empty for the preset's default
 * @param loras LoRAs merged into the text encoders for every prompt
 * @param loraDirs where A1111's {@code <lora:NAME:W>} tags find {@code NAME.safetensors} (style a1111 only)
 * @param embeddingDirs textual-inversion embedding folders (not read with style plain)
 * @param names the output tensor names
 * @param t5Length T5 tokens per prompt for Flux and SD3 (diffusers' {@code max_sequence_length}); empty for the preset's
 * @param dtype the dtype the towers compute in
 * @param attention the attention kernel
 * @param linear the kernel of the projections' products
 * @serial exclude
 */
public record TextRequest(List<String> models, Optional<Preset> preset, PromptStyle style, SyntaxMode syntax,
        int commaBacktrack, ChunkLimit chunkLimit, LayerChoice layer, Optional<Boolean> zeroEmptyNegative, List<LoraSpec> loras,
        List<Path> loraDirs, List<Path> embeddingDirs, OutputNames names, OptionalInt t5Length, Precision dtype,
        AttentionKernel attention, LinearKernel linear) implements java.io.Serializable {

    /** The most T5 tokens per prompt (diffusers' limit). */
    public static final int MAX_T5_LENGTH = 512;

    /**
     * Checks every value; nothing here reads a file.
     *
     * @param models see the record's models
     * @param preset see the record's preset
     * @param style see the record's style
     * @param syntax see the record's syntax
     * @param commaBacktrack see the record's commaBacktrack
     * @param chunkLimit see the record's chunkLimit
     * @param layer see the record's layer
     * @param zeroEmptyNegative see the record's zeroEmptyNegative
     * @param loras see the record's loras
     * @param loraDirs see the record's loraDirs
     * @param embeddingDirs see the record's embeddingDirs
     * @param names see the record's names
     * @param t5Length see the record's t5Length
     * @param dtype see the record's dtype
     * @param attention see the record's attention
     * @param linear see the record's linear
     * @throws InvalidInputException naming the bad value
     */
    public TextRequest {
        models = List.copyOf(Objects.requireNonNull(models, "models"));
        Objects.requireNonNull(preset, "preset");
        Objects.requireNonNull(style, "style");
        Objects.requireNonNull(syntax, "syntax");
        Objects.requireNonNull(chunkLimit, "chunkLimit");
        Objects.requireNonNull(layer, "layer");
        Objects.requireNonNull(zeroEmptyNegative, "zeroEmptyNegative");
        loras = List.copyOf(loras);
        loraDirs = List.copyOf(loraDirs);
        embeddingDirs = List.copyOf(embeddingDirs);
        Objects.requireNonNull(names, "names");
        Objects.requireNonNull(t5Length, "t5Length");
        Objects.requireNonNull(dtype, "dtype");
        Objects.requireNonNull(attention, "attention");
        Objects.requireNonNull(linear, "linear");
        if (models.isEmpty()) {
            throw new InvalidInputException("no model given");
        }
        for (String m : models) {
            if (m.isBlank()) {
                throw new InvalidInputException("a model spec is empty");
            }
        }
        if (commaBacktrack < 0) {
            throw new InvalidInputException("the comma backtrack must be 0 (off) or more, is " + commaBacktrack);
        }
        preset.ifPresent(layer::in); // a layer the named preset cannot take fails now, not after the model loads
        if (t5Length.isPresent()) {
            int n = t5Length.getAsInt();
            if (n < 1 || n > MAX_T5_LENGTH) {
                throw new InvalidInputException("the T5 length (max sequence length) is 1 to " + MAX_T5_LENGTH
                        + " (as diffusers), got " + n);
            }
            if (style == PromptStyle.COMFY) {
                throw new InvalidInputException("the T5 length (max sequence length) is diffusers'; ComfyUI (style"
                        + " comfy) never cuts T5 prompts and pads them to at least 256 tokens (Flux) or 77 (SD3)");
            }
        }
    }

    /**
     * A builder with the defaults: preset inferred, A1111's prompt handling, tolerant syntax, comma backtrack 20,
     * prompts over 64 chunks refused, the preset's layers and zeroing, no LoRAs or embeddings, sdcond's names, float32, fused attention,
     * {@code auto} products.
     *
     * @return the builder; {@link TextRequestBuilder#setModels} is required
     */
    public static TextRequestBuilder builder() {
        return new TextRequestBuilder();
    }

    /**
     * A builder holding this request's values, to change some.
     *
     * @return the builder
     */
    public TextRequestBuilder toBuilder() {
        return new TextRequestBuilder(this);
    }

    /**
     * The compute choice on a device.
     *
     * @param device where the towers run
     * @return the choice
     */
    public Compute compute(ai.djl.Device device) {
        return new Compute(device, dtype, attention, linear);
    }

    /**
     * Loads the request's model on a device, with the T5 length set.
     *
     * @param device where the towers run
     * @param loras the LoRAs to merge: {@link #loras()} or a {@link PreparedPrompt}'s, which adds its tags'
     * @return the model; close it to free its weights
     * @throws InvalidInputException for a missing or malformed model or LoRA, or a T5 length without a T5 encoder
     */
    public LoadedTextModel open(ai.djl.Device device, List<LoraSpec> loras) {
        LoadedTextModel m = TextModels.open(models, preset, compute(device), loras);
        if (t5Length.isEmpty()) {
            return m;
        }
        try {
            return m.withT5Length(t5Length.getAsInt());
        } catch (RuntimeException e) {
            m.close();
            throw e;
        }
    }

    /**
     * The prompt handling for a model's preset: the layer this request selects in it and the embeddings, read from
     * their folders now.
     *
     * @param p the loaded model's preset
     * @return the options
     * @throws InvalidInputException for an unreadable embedding folder or a layer the preset cannot take
     */
    public EncodeOptions encodeOptions(Preset p) {
        return new EncodeOptions(style, syntax == SyntaxMode.STRICT, commaBacktrack, chunkLimit, layer.in(p),
                zeroEmptyNegative, style == PromptStyle.PLAIN || embeddingDirs.isEmpty() ? EmbeddingStore.NONE
                        : EmbeddingStore.of(embeddingDirs));
    }

    /**
     * The settings as words, for output metadata and Spark column metadata (paths as given).
     *
     * @return name to value, in a fixed order
     */
    public Map<String, String> describe() {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("models", String.join(",", models));
        m.put("preset", preset.map(Preset::name).orElse(""));
        m.put("style", style.name().toLowerCase(Locale.ROOT));
        m.put("syntax", syntax.name().toLowerCase(Locale.ROOT));
        m.put("comma_backtrack", String.valueOf(commaBacktrack));
        m.put("chunk_limit", chunkLimit.words());
        m.put("layer", TextRequestForm.layerWords(layer));
        m.put("zero_empty_negative", zeroEmptyNegative.map(String::valueOf).orElse(""));
        m.put("loras", String.join(",", loras.stream().map(l -> l.file() + ":" + l.strength()).toList()));
        m.put("lora_dirs", String.join(",", loraDirs.stream().map(Path::toString).toList()));
        m.put("embeddings", String.join(",", embeddingDirs.stream().map(Path::toString).toList()));
        m.put("names", names.name().toLowerCase(Locale.ROOT));
        m.put("t5_length", t5Length.isPresent() ? String.valueOf(t5Length.getAsInt()) : "");
        m.put("dtype", dtype.toString());
        m.put("attention", attention.name().toLowerCase(Locale.ROOT));
        m.put("linear", linear.name().toLowerCase(Locale.ROOT));
        return m;
    }

    /**
     * Serialized as its words (paths as strings), so that Spark can ship it to executors.
     *
     * @return the serial form
     */
    private Object writeReplace() {
        return new TextRequestForm(this);
    }
}
