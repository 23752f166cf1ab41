package dev.sdcond.conditioning;

import ai.djl.ndarray.NDManager;
import dev.sdcond.models.FloatTensor;
import dev.sdcond.models.Towers;
import dev.sdcond.models.lora.LoraSpec;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The common case in one call, with plain Java results: open a {@link TextRequest} once, then
 * {@code encode(prompt, negative)} for each prompt, or a batch. No DJL type reaches the caller: every result is copied
 * out ({@link FloatTensor}) and the native memory of each call is freed when it returns. Prompts are prepared as by
 * every front end ({@link PreparedPrompt}): with style a1111, {@code <lora:NAME:W>} tags load the model with those
 * LoRAs merged (once per set of LoRAs, kept until {@link #close()}).
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
    private final TextRequest request;
    private final ai.djl.Device device;
    private final Map<List<LoraSpec>, Opened> models = new ConcurrentHashMap<>();
    private volatile boolean closed;

    /** A model and its prompt handling. */
    private record Opened(LoadedTextModel model, EncodeOptions options) {}

    private Conditioning(TextRequest request, ai.djl.Device device) {
        this.request = request;
        this.device = device;
        opened(request.loras()); // the request's own model: loaded now, so that a bad model fails here
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
        return open(TextRequest.builder().setModels(model).build());
    }

    /**
     * Opens a request's model on the CPU.
     *
     * @param request the model, prompt handling, LoRAs, embeddings, names, dtype and kernels
     * @return the loaded model; close it to free its weights
     */
    public static Conditioning open(TextRequest request) {
        return open(request, ai.djl.Device.cpu());
    }

    /**
     * Opens a request's model on a device.
     *
     * @param request the request
     * @param device where the towers run ({@code Device.gpu(0)} needs a CUDA libtorch)
     * @return the loaded model; close it to free its weights
     */
    public static Conditioning open(TextRequest request, ai.djl.Device device) {
        return new Conditioning(request, device);
    }

    /**
     * The request this was opened with.
     *
     * @return the request
     */
    public TextRequest request() {
        return request;
    }

    /**
     * The preset in use.
     *
     * @return sd15, sd2, sdxl, flux or sd3
     */
    public Preset preset() {
        return opened(request.loras()).model().conditioner().preset();
    }

    /**
     * Encodes a prompt without a negative prompt.
     *
     * @param prompt the prompt, in the syntax of the request's style
     * @return its conditioning, with null negative fields
     * @throws dev.sdcond.models.InvalidInputException for a prompt the style's syntax refuses (strict mode)
     */
    public Result encode(String prompt) {
        return encodeBatch(List.of(prompt), null).get(0);
    }

    /**
     * Encodes a prompt and its negative prompt (both padded to the same number of chunks).
     *
     * @param prompt the prompt
     * @param negative the negative prompt ("" for an empty one; use {@link #encode(String)} for none)
     * @return both conditionings
     * @throws dev.sdcond.models.InvalidInputException when {@code negative} is null
     */
    public Result encode(String prompt, String negative) {
        if (negative == null) {
            throw new dev.sdcond.models.InvalidInputException("negative prompt is null; use encode(prompt) for none");
        }
        return encodeBatch(List.of(prompt), List.of(negative)).get(0);
    }

    /**
     * Encodes prompts as one batch (one forward pass; prompts padded to the batch's longest, as a pipeline's batch
     * is). As in A1111, a batch takes the first prompt's LoRA tags for all of its prompts.
     *
     * @param prompts the prompts
     * @param negatives one negative prompt per prompt, or null for none
     * @return one result per prompt, in order
     * @throws dev.sdcond.models.InvalidInputException for an empty batch, negatives of another length, or a prompt
     *     refused (names its index)
     */
    public List<Result> encodeBatch(List<String> prompts, List<String> negatives) {
        if (prompts.isEmpty() || (negatives != null && negatives.size() != prompts.size())) {
            throw new dev.sdcond.models.InvalidInputException("a batch needs 1 or more prompts and as many negative"
                    + " prompts (or none): got " + prompts.size() + " and " + (negatives == null ? "none"
                    : negatives.size()));
        }
        List<PreparedPrompt> prepared = new ArrayList<>();
        for (int i = 0; i < prompts.size(); i++) {
            try {
                prepared.add(PreparedPrompt.of(request, prompts.get(i), negatives == null ? null : negatives.get(i)));
            } catch (dev.sdcond.models.InvalidInputException e) {
                throw prompts.size() == 1 ? e
                        : new dev.sdcond.models.InvalidInputException("prompt " + i + ": " + e.getMessage(), e);
            }
        }
        Opened o = opened(prepared.get(0).loras());
        try (NDManager m = NDManager.newBaseManager(Towers.ENGINE)) {
            TextConditioner.Result r = o.model().conditioner().encode(m,
                    prepared.stream().map(PreparedPrompt::text).toList(), negatives, o.options());
            List<Result> out = new ArrayList<>();
            for (int i = 0; i < prompts.size(); i++) {
                out.add(result(o.model(), r, i));
            }
            return out;
        }
    }

    private static Result result(LoadedTextModel model, TextConditioner.Result r, int i) {
        TextConditioning p = r.positive();
        TextConditioning n = r.negative();
        return new Result(row(p.hiddenStates(), i), row(p.pooled(), i), n == null ? null : row(n.hiddenStates(), i),
                n == null ? null : row(n.pooled(), i), p.inputIds()[i], p.t5InputIds() == null ? null
                : p.t5InputIds()[i], p.t5AttentionMask() == null ? null : p.t5AttentionMask()[i], model.metadata());
    }

    private static FloatTensor row(ai.djl.ndarray.NDArray batch, int i) {
        return batch == null ? null : FloatTensor.of(batch.get(i).expandDims(0));
    }

    private Opened opened(List<LoraSpec> loras) {
        if (closed) {
            throw new dev.sdcond.models.InvalidInputException("this Conditioning is closed");
        }
        return models.computeIfAbsent(loras, l -> {
            LoadedTextModel m = request.open(device, l);
            try {
                return new Opened(m, request.encodeOptions(m.conditioner().preset()));
            } catch (RuntimeException e) {
                m.close();
                throw e;
            }
        });
    }

    /**
     * One prompt's conditioning as plain arrays.
     *
     * @param hiddenStates [1, 77 * chunks, D] (Flux: T5's [1, L, 4096]; SD3: CLIP's 77 * chunks zero-padded to 4096 wide, then T5's L)
     * @param pooled [1, P], or null for a preset without (SD1.x, SD2.x)
     * @param negativeHiddenStates like {@code hiddenStates}, for the negative prompt; null without one
     * @param negativePooled like {@code pooled}, for the negative prompt; null without one
     * @param inputIds the first CLIP encoder's ids, 77 per chunk
     * @param t5InputIds Flux and SD3: the T5 ids the hidden states were encoded from; null without T5
     * @param t5AttentionMask Flux and SD3: 1 up to and including the prompt's {@code </s>}, 0 on padding; null
     *     without T5
     * @param metadata what the model records with outputs (e.g. random weights, LoRAs)
     */
    public record Result(FloatTensor hiddenStates, FloatTensor pooled, FloatTensor negativeHiddenStates,
            FloatTensor negativePooled, long[] inputIds, long[] t5InputIds, long[] t5AttentionMask,
            Map<String, String> metadata) {}

    @Override
    public void close() {
        closed = true;
        models.values().forEach(o -> o.model().close());
        models.clear();
    }
}
