package dev.sdcond.conditioning;

import ai.djl.ndarray.NDManager;
import dev.sdcond.models.Compute;
import dev.sdcond.models.FloatTensor;
import dev.sdcond.models.Towers;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * The common case in one call, with plain Java results: load a model once, then
 * {@code encode(prompt, negative)} for each prompt. No DJL type reaches the caller: every result is copied out
 * ({@link FloatTensor}) and the native memory of each call is freed when it returns.
 *
 * <pre>{@code
 * try (Conditioning sdxl = Conditioning.open(Path.of("/models/stable-diffusion-xl-base-1.0"))) {
 *     Conditioning.Result r = sdxl.encode("a (red:1.2) fox", "blurry");
 *     r.hiddenStates();   // [1, 77, 2048]
 *     r.pooled();         // [1, 1280]
 * }
 * }</pre>
 *
 * <p>Thread-safe: any number of threads may call {@link #encode} at once.
 */
public final class Conditioning implements AutoCloseable {
    private final LoadedTextModel model;
    private final EncodeOptions options;

    private Conditioning(LoadedTextModel model, EncodeOptions options) {
        this.model = model;
        this.options = options;
    }

    /**
     * Opens a model (a diffusers pipeline folder, a text-encoder folder, a single-file checkpoint or
     * {@code builtin:NAME}) on the CPU in float32, with the preset inferred and A1111's prompt handling.
     *
     * @param model the model's folder or file
     * @return the loaded model; close it to free its weights
     * @throws dev.sdcond.models.InvalidInputException for a missing or malformed model (names the file)
     * @throws dev.sdcond.models.ModelMismatchException for a model that is not a supported text encoder
     */
    public static Conditioning open(Path model) {
        return open(model.toString());
    }

    /**
     * As {@link #open(Path)}, for a model given as text (e.g. {@code builtin:sd15-random}).
     *
     * @param model a folder, a file or {@code builtin:NAME}
     * @return the loaded model; close it to free its weights
     */
    public static Conditioning open(String model) {
        return open(List.of(model), Compute.CPU, EncodeOptions.DEFAULT);
    }

    /**
     * Opens a model with every choice explicit.
     *
     * @param specs one model, or one per encoder (SDXL from separate folders: CLIP-L, then bigG)
     * @param compute device and dtype
     * @param options prompt style, layers, chunk limit, embeddings (their LoRAs: {@link TextModels#open})
     * @return the loaded model; close it to free its weights
     */
    public static Conditioning open(List<String> specs, Compute compute, EncodeOptions options) {
        return new Conditioning(TextModels.open(specs, compute), options);
    }

    /**
     * The preset in use.
     *
     * @return sd15, sd2, sdxl or flux
     */
    public Preset preset() {
        return model.conditioner().preset();
    }

    /**
     * Encodes a prompt without a negative prompt.
     *
     * @param prompt the prompt, in the syntax of the options' style
     * @return its conditioning, with null negative fields
     * @throws dev.sdcond.models.InvalidInputException for a prompt the style's syntax refuses (strict mode)
     */
    public Result encode(String prompt) {
        return encode(prompt, null, false);
    }

    /**
     * Encodes a prompt and its negative prompt (both padded to the same number of chunks).
     *
     * @param prompt the prompt
     * @param negative the negative prompt ("" for an empty one; use {@link #encode(String)} for none)
     * @return both conditionings
     * @throws IllegalArgumentException when {@code negative} is null
     */
    public Result encode(String prompt, String negative) {
        if (negative == null) {
            throw new IllegalArgumentException("negative prompt is null; use encode(prompt) for none");
        }
        return encode(prompt, negative, true);
    }

    private Result encode(String prompt, String negative, boolean withNegative) {
        try (NDManager m = NDManager.newBaseManager(Towers.ENGINE)) {
            TextConditioner.Result r = model.conditioner().encode(m, prompt, withNegative ? negative : null, options);
            TextConditioning p = r.positive();
            TextConditioning n = r.negative();
            return new Result(FloatTensor.of(p.hiddenStates()), FloatTensor.of(p.pooled()),
                    n == null ? null : FloatTensor.of(n.hiddenStates()), n == null ? null : FloatTensor.of(n.pooled()),
                    p.inputIds()[0], model.metadata());
        }
    }

    /**
     * One prompt's conditioning as plain arrays.
     *
     * @param hiddenStates [1, 77 * chunks, D], or null for a preset without (Flux)
     * @param pooled [1, P], or null for a preset without (SD1.x, SD2.x)
     * @param negativeHiddenStates like {@code hiddenStates}, for the negative prompt; null without one
     * @param negativePooled like {@code pooled}, for the negative prompt; null without one
     * @param inputIds the first encoder's ids, 77 per chunk
     * @param metadata what the model records with outputs (e.g. random weights, LoRAs)
     */
    public record Result(FloatTensor hiddenStates, FloatTensor pooled, FloatTensor negativeHiddenStates,
            FloatTensor negativePooled, long[] inputIds, Map<String, String> metadata) {}

    @Override
    public void close() {
        model.close();
    }
}
