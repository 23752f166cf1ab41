package dev.sdcond.conditioning;

import dev.sdcond.conditioning.embeddings.EmbeddingStore;
import dev.sdcond.conditioning.prompt.A1111Triggers;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import dev.sdcond.conditioning.prompt.PromptStyle;
import dev.sdcond.conditioning.prompt.PromptTokenizer;
import dev.sdcond.conditioning.prompt.TokenizedPrompt;
import dev.sdcond.models.ModelMismatchException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Turns prompts into the tensors a Stable Diffusion pipeline consumes: a preset's text encoders, loaded once, and
 * the prompt handling of the chosen tool. Immutable and safe to call from several threads.
 *
 * <p>Long prompts are cut into 75-token chunks, each wrapped in BOS/EOS, padded to 77 and encoded separately, and the
 * chunks' hidden states are concatenated ([77 * k, D]). In one call every prompt (positive and negative) is padded
 * to the same number of chunks with empty-prompt chunks, so the results stack into one batch, and all chunks of all
 * prompts go through each encoder in one forward pass. The pooled vector is the first chunk's.
 */
public final class TextConditioner {
    private final Preset preset;
    private final List<TextEncoder> encoders;
    private final java.util.Optional<T5Encoder> t5;
    /** A1111's embedding lookup per store: it depends on this model's tokenizer and widths. */
    private final Map<EmbeddingStore, A1111Triggers> triggers = new java.util.concurrent.ConcurrentHashMap<>();

    /**
     * A conditioner for a preset's encoders.
     *
     * @param preset the preset
     * @param encoders one per preset slot, in order
     * @throws dev.sdcond.models.ModelMismatchException when they do not fit the preset
     */
    public TextConditioner(Preset preset, List<TextEncoder> encoders) {
        this(preset, encoders, java.util.Optional.empty());
    }

    /**
     * A conditioner for a preset's encoders and, for Flux, its T5 encoder ({@code prompt_embeds}).
     *
     * @param preset the preset
     * @param encoders one per preset slot, in order
     * @param t5 the T5 encoder, or empty
     * @throws dev.sdcond.models.ModelMismatchException when they do not fit the preset
     */
    public TextConditioner(Preset preset, List<TextEncoder> encoders, java.util.Optional<T5Encoder> t5) {
        if (preset == Preset.SD3 && t5.isEmpty()) {
            throw new ModelMismatchException("the sd3 preset needs a T5 encoder (text_encoder_3)");
        }
        if (t5.isPresent() && !preset.takesT5()) {
            throw new ModelMismatchException("a T5 encoder is used by the flux and sd3 presets only, not by " + preset);
        }
        this.t5 = t5;
        if (encoders.size() != preset.encoders().size()) {
            throw new ModelMismatchException("preset " + preset + " needs " + preset.encoders().size()
                    + " text encoder(s) (" + preset.encoders().stream().map(Preset.EncoderSlot::role).toList()
                    + "), got " + encoders.size());
        }
        for (int e = 0; e < encoders.size(); e++) {
            boolean projection = encoders.get(e).tower().projectionDim().isPresent();
            if (!projection && preset.pooledKind(e, PromptStyle.PLAIN, false) == PooledKind.PROJECTED) {
                throw new ModelMismatchException("preset " + preset + " takes text_embeds from its "
                        + preset.encoders().get(e).role() + " encoder, but that checkpoint has no text_projection (a"
                        + " CLIPTextModelWithProjection is needed)");
            }
        }
        this.preset = preset;
        this.encoders = List.copyOf(encoders);
    }

    /**
     * The preset.
     *
     * @return the preset
     */
    public Preset preset() {
        return preset;
    }

    /**
     * The T5 encoder, for Flux.
     *
     * @return it, or empty
     */
    public java.util.Optional<T5Encoder> t5() {
        return t5;
    }

    /**
     * This conditioner with another T5 sequence length (diffusers' {@code max_sequence_length}).
     *
     * @param length 1 to 512
     * @return the conditioner, sharing the encoders
     * @throws IllegalStateException without a T5 encoder
     */
    public TextConditioner withT5Length(int length) {
        return new TextConditioner(preset, encoders, java.util.Optional.of(t5.orElseThrow(
                () -> new IllegalStateException("no T5 encoder")).withLength(length)));
    }

    /**
     * The encoders.
     *
     * @return one per preset slot
     */
    public List<TextEncoder> encoders() {
        return encoders;
    }

    /**
     * The tokenizer of the first encoder (all SD encoders share the CLIP vocabulary).
     *
     * @param options the options (style, embeddings)
     * @return the prompt tokenizer
     */
    public PromptTokenizer promptTokenizer(EncodeOptions options) {
        EmbeddingStore store = options.embeddings();
        A1111Triggers a1111 = store.all().isEmpty() && store.unusableNames().isEmpty() ? null : triggers.computeIfAbsent(store, s ->
                A1111Triggers.of(s, encoders.get(0).tokenizer(), encoders.stream().mapToInt(e -> e.tower().width())
                        .toArray()));
        return new PromptTokenizer(encoders.get(0).tokenizer(), options.style(), options.strictSyntax(),
                options.commaBacktrack(), new PromptTokenizer.Triggers(store, a1111));
    }

    /**
     * Encodes one prompt and an optional negative prompt (null: none).
     *
     * @param manager where the results are attached
     * @param prompt the prompt
     * @param negative the negative prompt, or null
     * @param options the prompt handling
     * @return the conditioning
     */
    public Result encode(NDManager manager, String prompt, String negative, EncodeOptions options) {
        return encode(manager, List.of(prompt), negative == null ? null : List.of(negative), options);
    }

    /**
     * The positive and (when asked for) negative conditioning, padded to the same number of chunks.
     *
     * @param positive the prompts' conditioning
     * @param negative the negative prompts', or null for none
     * @param tokenizeNanos the time spent parsing and tokenizing the prompts (a part of the call's time)
     */
    public record Result(TextConditioning positive, TextConditioning negative, long tokenizeNanos) {}

    /**
     * Encodes a batch of prompts: one {@link ConditioningPlan} for the rows, one {@link EncoderPass} per encoder the
     * preset takes something from, then the encoders' hidden states side by side and the planned zeroing.
     *
     * @param manager where the results are attached
     * @param prompts the prompts
     * @param negatives null for none, else one per prompt; a null entry is an absent negative prompt
     * @param options prompt style, layers, chunk limit, embeddings
     * @return the conditioning of the prompts and of the negatives
     */
    public Result encode(NDManager manager, List<String> prompts, List<String> negatives, EncodeOptions options) {
        if (prompts.isEmpty()) {
            throw new IllegalArgumentException("no prompts");
        }
        if (negatives != null && negatives.size() != prompts.size()) {
            throw new IllegalArgumentException(prompts.size() + " prompts but " + negatives.size() + " negative prompts");
        }
        long t0 = System.nanoTime();
        PromptTokenizer pt = promptTokenizer(options);
        List<TokenizedPrompt> pos = prompts.stream().map(p -> tokenize(pt, p, options)).toList();
        List<TokenizedPrompt> negs = null;
        boolean[] emptyNegs = null;
        if (negatives != null) {
            negs = new ArrayList<>();
            emptyNegs = new boolean[negatives.size()];
            for (int i = 0; i < negatives.size(); i++) {
                String n = negatives.get(i);
                negs.add(tokenize(pt, n == null ? "" : n, options));
                emptyNegs[i] = n == null || n.isBlank();
            }
        }
        boolean zeroNeg = options.zeroEmptyNegative().orElse(preset.zeroEmptyNegative());
        ConditioningPlan plan = ConditioningPlan.of(pos, negs, emptyNegs, options.style(), zeroNeg);
        long tokenizeNanos = System.nanoTime() - t0;
        try (NDManager sub = manager.newSubManager()) {
            List<NDArray> pooledParts = new ArrayList<>();
            List<NDArray> hidden = new ArrayList<>();
            for (int e = 0; e < encoders.size(); e++) {
                PooledKind pool = preset.pooledKind(e, options.style(),
                        encoders.get(e).tower().projectionDim().isPresent());
                if (!preset.hiddenStates() && pool == PooledKind.NONE) {
                    continue;
                }
                LayerSelection layer = options.layer().orElse(preset.encoders().get(e).layer());
                // diffusers' SD3 pipeline encodes the negative prompt with clip_skip=None (l. 496, 503)
                LayerSelection negativeLayer = preset == Preset.SD3 ? preset.encoders().get(e).layer() : layer;
                EncoderPass.Output out = new EncoderPass(encoders.get(e), e, encoders.size(),
                        preset.encoders().get(e).role()).run(sub, plan, layer, negativeLayer, preset.hiddenStates(),
                        pool);
                if (pool != PooledKind.NONE) {
                    pooledParts.add(out.pooled());
                }
                if (out.hidden() != null) {
                    hidden.add(out.hidden());
                }
            }
            NDArray pooled = pooledParts.isEmpty() ? null
                    : pooledParts.size() == 1 ? pooledParts.get(0) : NDArrays.concat(new NDList(pooledParts), 1);
            NDArray h = hidden.isEmpty() ? null
                    : hidden.size() == 1 ? hidden.get(0) : NDArrays.concat(new NDList(hidden), 2);
            if (t5.isPresent()) {
                return withT5(manager, sub, plan, prompts, negatives, options, h, pooled, tokenizeNanos);
            }
            plan.zero(h, pooled);
            return plan.results(manager, h, pooled, encoders.get(0).padId(), tokenizeNanos);
        }
    }

    /**
     * Flux: {@code prompt_embeds} = T5's; SD3: the CLIP hidden states zero-padded to T5's width, then T5's tokens. The
     * positives and the negatives are separate T5 batches: under ComfyUI's style their lengths may differ.
     */
    private Result withT5(NDManager manager, NDManager sub, ConditioningPlan plan, List<String> prompts,
            List<String> negatives, EncodeOptions options, NDArray clip, NDArray pooled, long tokenizeNanos) {
        int minimum = preset.comfyT5MinimumLength();
        T5Encoder.Encoded pos = t5.get().encode(sub, prompts, options.style(), minimum);
        T5Encoder.Encoded neg = negatives == null ? null : t5.get().encode(sub, negatives.stream()
                .map(n -> n == null ? "" : n).toList(), options.style(), minimum);
        NDArray posHidden = pos.hidden();
        NDArray negHidden = neg == null ? null : neg.hidden();
        if (preset == Preset.SD3) {
            int p = plan.positives();
            posHidden = T5Encoder.appendTo(sub, clip.get(new NDIndex(":{}", p)), posHidden);
            negHidden = negHidden == null ? null : T5Encoder.appendTo(sub, clip.get(new NDIndex("{}:", p)), negHidden);
        }
        plan.zero(posHidden, negHidden, pooled);
        Result r = plan.results(manager, posHidden, negHidden, pooled, encoders.get(0).padId(), tokenizeNanos);
        return new Result(r.positive().withT5(pos.ids()), neg == null ? null : r.negative().withT5(neg.ids()),
                r.tokenizeNanos());
    }

    private static TokenizedPrompt tokenize(PromptTokenizer pt, String text, EncodeOptions options) {
        return pt.tokenize(text, options.chunkLimit());
    }
}
