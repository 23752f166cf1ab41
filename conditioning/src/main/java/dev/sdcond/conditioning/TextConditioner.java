package dev.sdcond.conditioning;

import dev.sdcond.conditioning.embeddings.EmbeddingStore;
import dev.sdcond.conditioning.prompt.A1111Triggers;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.sdcond.conditioning.prompt.Chunk;
import dev.sdcond.conditioning.prompt.ParsedPrompt;
import dev.sdcond.conditioning.prompt.PromptStyle;
import dev.sdcond.conditioning.prompt.PromptTokenizer;
import dev.sdcond.conditioning.prompt.TokenizedPrompt;
import dev.sdcond.models.ModelMismatchException;
import dev.sdcond.models.clip.ClipOutput;
import dev.sdcond.models.clip.OutputRequest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
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
    /** A1111's embedding lookup per store: it depends on this model's tokenizer and widths. */
    private final Map<EmbeddingStore, A1111Triggers> triggers = new java.util.concurrent.ConcurrentHashMap<>();

    public TextConditioner(Preset preset, List<TextEncoder> encoders) {
        if (encoders.size() != preset.encoders().size()) {
            throw new ModelMismatchException("preset " + preset + " needs " + preset.encoders().size()
                    + " text encoder(s) (" + preset.encoders().stream().map(Preset.EncoderSlot::role).toList()
                    + "), got " + encoders.size());
        }
        if (preset.pooled() == PooledKind.PROJECTED && encoders.get(preset.pooledFrom()).tower().projectionDim().isEmpty()) {
            throw new ModelMismatchException("preset " + preset + " takes text_embeds from its "
                    + preset.encoders().get(preset.pooledFrom()).role()
                    + " encoder, but that checkpoint has no text_projection (a CLIPTextModelWithProjection is needed)");
        }
        this.preset = preset;
        this.encoders = List.copyOf(encoders);
    }

    public Preset preset() {
        return preset;
    }

    public List<TextEncoder> encoders() {
        return encoders;
    }

    /** The tokenizer of the first encoder (all SD encoders share the CLIP vocabulary). */
    public PromptTokenizer promptTokenizer(EncodeOptions options) {
        EmbeddingStore store = options.embeddings();
        A1111Triggers a1111 = store.all().isEmpty() && store.unusableNames().isEmpty() ? null : triggers.computeIfAbsent(store, s ->
                A1111Triggers.of(s, encoders.get(0).tokenizer(), encoders.stream().mapToInt(e -> e.tower().width())
                        .toArray()));
        return new PromptTokenizer(encoders.get(0).tokenizer(), options.style(), options.strictSyntax(),
                options.commaBacktrack(), new PromptTokenizer.Triggers(store, a1111));
    }

    /** Encodes one prompt and an optional negative prompt (null: none). */
    public Result encode(NDManager manager, String prompt, String negative, EncodeOptions options) {
        return encode(manager, List.of(prompt), negative == null ? null : List.of(negative), options);
    }

    /** The positive and (when asked for) negative conditioning, padded to the same number of chunks. */
    public record Result(TextConditioning positive, TextConditioning negative) {}

    /**
     * Encodes a batch of prompts.
     *
     * @param negatives null for none, else one per prompt; a null entry is an absent negative prompt
     */
    public Result encode(NDManager manager, List<String> prompts, List<String> negatives, EncodeOptions options) {
        if (prompts.isEmpty()) {
            throw new IllegalArgumentException("no prompts");
        }
        if (negatives != null && negatives.size() != prompts.size()) {
            throw new IllegalArgumentException(prompts.size() + " prompts but " + negatives.size() + " negative prompts");
        }
        PromptTokenizer pt = promptTokenizer(options);
        List<String> texts = new ArrayList<>(prompts);
        if (negatives != null) {
            for (String n : negatives) {
                texts.add(n == null ? "" : n);
            }
        }
        List<TokenizedPrompt> tokenized = new ArrayList<>();
        for (String t : texts) {
            tokenized.add(options.maxChunks() > 0 ? pt.tokenize(t, options.maxChunks()) : pt.tokenize(t));
        }
        int k = tokenized.stream().mapToInt(t -> t.chunks().size()).max().orElse(1);
        List<Chunk> rows = new ArrayList<>();
        for (TokenizedPrompt t : tokenized) {
            rows.addAll(t.chunks());
            rows.addAll(Collections.nCopies(k - t.chunks().size(), Chunk.EMPTY));
        }
        boolean weighted = options.style() != PromptStyle.PLAIN && rows.stream().anyMatch(Chunk::isWeighted);
        boolean needEmpty = weighted && options.style() == PromptStyle.COMFY;
        if (needEmpty) {
            rows.add(Chunk.EMPTY);
        }
        int n = texts.size();
        // per prompt, what an encoder could not take (ComfyUI's "shape mismatch ... embedding will be ignored")
        List<java.util.Set<String>> dropped = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            dropped.add(new java.util.LinkedHashSet<>());
        }
        try (NDManager sub = manager.newSubManager()) {
            NDArray pooled = null;
            List<NDArray> perEncoder = new ArrayList<>();
            for (int e = 0; e < encoders.size(); e++) {
                TextEncoder enc = encoders.get(e);
                boolean poolHere = e == preset.pooledFrom();
                if (!preset.hiddenStates() && !poolHere) {
                    continue;
                }
                List<Chunk> encRows = forEncoder(rows, e, k, dropped);
                long[][] ids = new long[encRows.size()][];
                float[][][] vectors = new float[encRows.size()][][];
                for (int r = 0; r < encRows.size(); r++) {
                    ids[r] = encRows.get(r).ids77(enc.padId());
                    vectors[r] = vectors77(encRows.get(r), e);
                }
                LayerSelection layer = options.layer() != null ? options.layer() : preset.encoders().get(e).layer();
                int abs = layer.resolve(enc.tower().numLayers(), enc.originalLayers());
                OutputRequest request = OutputRequest.hiddenStates(abs);
                if (poolHere) {
                    request = request.withPooled();
                }
                ClipOutput out = enc.tower().forward(sub, ids, vectors, request);
                if (poolHere) {
                    NDArray p = preset.pooled() == PooledKind.PROJECTED ? out.projected() : out.pooled();
                    // the first chunk of each prompt: rows 0, k, 2k, ...
                    pooled = p.get(new NDIndex("0:{}:{}", n * k, k)).toType(DataType.FLOAT32, false);
                }
                if (preset.hiddenStates()) {
                    NDArray z = out.hiddenState(abs);
                    if (layer.finalNorm()) {
                        z = enc.tower().applyFinalLayerNorm(z);
                    }
                    z = z.toType(DataType.FLOAT32, false);
                    if (weighted) {
                        z = applyWeights(sub, z, encRows, options.style());
                    }
                    perEncoder.add(z.get(new NDIndex("0:{}", n * k)).reshape(n, k * 77L, z.getShape().get(2)));
                }
            }
            NDArray hidden = preset.hiddenStates()
                    ? (perEncoder.size() == 1 ? perEncoder.get(0) : NDArrays.concat(new NDList(perEncoder), 2))
                    : null;
            boolean zeroNeg = options.zeroEmptyNegative() != null ? options.zeroEmptyNegative()
                    : preset.zeroEmptyNegative();
            if (negatives != null && zeroNeg) {
                for (int i = 0; i < negatives.size(); i++) {
                    String neg = negatives.get(i);
                    if (neg == null || neg.isBlank()) {
                        int row = prompts.size() + i;
                        if (hidden != null) {
                            hidden.set(new NDIndex("{}", row), 0f);
                        }
                        if (pooled != null) {
                            pooled.set(new NDIndex("{}", row), 0f);
                        }
                    }
                }
            }
            for (int i = 0; i < n; i++) {
                if (!dropped.get(i).isEmpty()) {
                    List<ParsedPrompt.Warning> w = new ArrayList<>(tokenized.get(i).warnings());
                    dropped.get(i).forEach(d -> w.add(new ParsedPrompt.Warning(-1, d)));
                    TokenizedPrompt t = tokenized.get(i);
                    tokenized.set(i, new TokenizedPrompt(t.chunks(), t.tokenCount(), t.droppedTokens(), w));
                }
            }
            TextConditioning pos = slice(manager, hidden, pooled, tokenized, 0, prompts.size(), k);
            TextConditioning neg = negatives == null ? null
                    : slice(manager, hidden, pooled, tokenized, prompts.size(), n, k);
            return new Result(pos, neg);
        }
    }

    /** The part of an embedding file encoder {@code e} takes: {@code clip_l}, or SDXL's second encoder {@code clip_g}. */
    private String part(int e) {
        return encoders.size() == 2 && e == 1 ? "clip_g" : "clip_l";
    }

    /**
     * The chunks as encoder {@code e} sees them. An embedding with no vectors of this encoder's width is left out of
     * this encoder's chunks (the tokens after it move up), as ComfyUI does with an SD1.x embedding on SDXL's bigG
     * or with a dual file that lacks this encoder's half; on a single-encoder model a width that does not fit is an
     * error.
     */
    private List<Chunk> forEncoder(List<Chunk> rows, int e, int k, List<java.util.Set<String>> dropped) {
        int width = encoders.get(e).tower().width();
        List<Chunk> out = new ArrayList<>(rows.size());
        for (int row = 0; row < rows.size(); row++) {
            Chunk c = rows.get(row);
            if (!c.hasVectors()) {
                out.add(c);
                continue;
            }
            long[] t = c.tokens();
            float[] w = c.weights();
            Chunk.VectorRef[] v = c.vectors();
            int kept = 0;
            for (int i = 0; i < t.length; i++) {
                if (v[i] != null) {
                    float[][] part = v[i].embedding().forPart(part(e));
                    if (part == null || part[0].length != width) {
                        if (encoders.size() == 1) {
                            throw new dev.sdcond.models.InvalidInputException(v[i].embedding().file()
                                    + ": embedding vectors of width " + (part == null ? "(none)" : part[0].length)
                                    + ", but the text encoder's width is " + width);
                        }
                        if (row / k < dropped.size()) {
                            dropped.get(row / k).add("embedding " + v[i].embedding().name() + " has no vectors of "
                                    + preset.encoders().get(e).role() + "'s width " + width + " and is left out of its"
                                    + " tokens (as ComfyUI does)");
                        }
                        continue;
                    }
                }
                t[kept] = t[i];
                w[kept] = w[i];
                v[kept] = v[i];
                kept++;
            }
            out.add(new Chunk(Arrays.copyOf(t, kept), Arrays.copyOf(w, kept), Arrays.copyOf(v, kept)));
        }
        return out;
    }

    /** Per position of the chunk's 77-token window, the vector that replaces the token's embedding, or null. */
    private float[][] vectors77(Chunk c, int e) {
        if (!c.hasVectors()) {
            return null;
        }
        float[][] out = new float[77][];
        Chunk.VectorRef[] v = c.vectors();
        for (int i = 0; i < v.length; i++) {
            if (v[i] != null) {
                out[i + 1] = v[i].embedding().forPart(part(e))[v[i].row()];
            }
        }
        return out;
    }

    /**
     * A1111: z * w, then scaled so the chunk's mean is what it was. ComfyUI: (z - z_empty) * w + z_empty where
     * w != 1, z_empty being the empty prompt's hidden states (the last row).
     */
    private static NDArray applyWeights(NDManager sub, NDArray z, List<Chunk> rows, PromptStyle style) {
        int r = rows.size();
        float[] w = new float[r * 77];
        boolean[] unweighted = new boolean[r * 77];
        for (int i = 0; i < r; i++) {
            float[] wi = rows.get(i).weights77();
            System.arraycopy(wi, 0, w, i * 77, 77);
            for (int j = 0; j < 77; j++) {
                unweighted[i * 77 + j] = wi[j] == 1f;
            }
        }
        Shape shape = z.getShape(); // [rows, 77, D]
        NDArray weights = sub.create(w, new Shape(r, 77, 1)).toDevice(z.getDevice(), false).broadcast(shape);
        if (style == PromptStyle.A1111) {
            NDArray mean0 = z.reshape(r, -1).mean(new int[] {1}, true).reshape(r, 1, 1);
            NDArray zw = z.mul(weights);
            NDArray mean1 = zw.reshape(r, -1).mean(new int[] {1}, true).reshape(r, 1, 1);
            return zw.mul(mean0.div(mean1));
        }
        NDArray keep = sub.create(unweighted, new Shape(r, 77, 1)).toDevice(z.getDevice(), false).broadcast(shape);
        NDArray empty = z.get(new NDIndex("{}:{}", r - 1, r)); // [1, 77, D]
        NDArray interpolated = z.sub(empty).mul(weights).add(empty);
        return NDArrays.where(keep, z, interpolated);
    }

    private TextConditioning slice(NDManager manager, NDArray hidden, NDArray pooled, List<TokenizedPrompt> tokenized,
            int from, int to, int k) {
        int b = to - from;
        long[][] ids = new long[b][];
        long[][] mask = new long[b][];
        int[] counts = new int[b];
        int[] dropped = new int[b];
        List<List<ParsedPrompt.Warning>> warnings = new ArrayList<>();
        long pad = encoders.get(0).padId();
        for (int i = 0; i < b; i++) {
            TokenizedPrompt t = tokenized.get(from + i);
            ids[i] = new long[k * 77];
            mask[i] = new long[k * 77];
            for (int c = 0; c < k; c++) {
                Chunk chunk = c < t.chunks().size() ? t.chunks().get(c) : Chunk.EMPTY;
                System.arraycopy(chunk.ids77(pad), 0, ids[i], c * 77, 77);
                System.arraycopy(chunk.attentionMask77(), 0, mask[i], c * 77, 77);
            }
            counts[i] = t.tokenCount();
            dropped[i] = t.droppedTokens();
            warnings.add(t.warnings());
        }
        NDArray h = hidden == null ? null : hidden.get(manager, new NDIndex("{}:{}", from, to));
        NDArray p = pooled == null ? null : pooled.get(manager, new NDIndex("{}:{}", from, to));
        return new TextConditioning(h, p, ids, mask, counts, dropped, warnings);
    }

}
