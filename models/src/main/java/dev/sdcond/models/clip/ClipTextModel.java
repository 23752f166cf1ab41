package dev.sdcond.models.clip;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import ai.djl.ndarray.types.SparseFormat;
import ai.djl.nn.core.Embedding;
import dev.sdcond.models.Compute;
import dev.sdcond.models.runtime.CpuThreads;
import dev.sdcond.models.Towers;
import dev.sdcond.models.config.CLIPTextConfig;
import dev.sdcond.models.weights.ParameterSource;
import dev.sdcond.models.weights.WeightReader;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/**
 * The CLIP text tower ({@code text_model.*} and optional {@code text_projection}), as transformers'
 * {@code CLIPTextModelWithProjection}: token + position embeddings, pre-LN causal transformer, final layer norm,
 * pooling, projection.
 *
 * <p>Pooling follows transformers ({@link TextPooling#position}).
 *
 * <p>Immutable once loaded and safe to call from several threads. Weights live in the tower's own manager, which is
 * capped: a forward pass that tried to leave anything there would fail instead of leaking. Close it to free them.
 */
public final class ClipTextModel implements AutoCloseable {
    private final CLIPTextConfig config;
    private final Compute compute;
    private final NDManager weights;
    private final NDArray tokenEmbedding; // [V, W]
    private final NDArray positionEmbedding; // [P, W]
    private final ClipEncoder encoder;
    private final LayerNorm finalLayerNorm;
    private final Linear textProjection; // [proj, W], no bias; null when absent

    private ClipTextModel(CLIPTextConfig config, Compute compute, NDManager weights, Parts parts) {
        this.config = config;
        this.compute = compute;
        this.weights = weights;
        this.tokenEmbedding = parts.tok();
        this.positionEmbedding = parts.pos();
        this.encoder = parts.enc();
        this.finalLayerNorm = parts.fln();
        this.textProjection = parts.proj();
    }

    /**
     * Loads the tower. Every expected parameter and shape is checked; all problems are reported at once in a
     * {@link dev.sdcond.models.ModelMismatchException}. Parameters of other towers in the same file are ignored.
     * {@code text_projection.weight} is loaded when present.
     *
     * @param source the parameters, in Hugging Face names
     * @param config the tower's config
     * @param compute device, dtype, attention kernel
     * @return the tower; close it to free its weights
     */
    public static ClipTextModel load(ParameterSource source, CLIPTextConfig config, Compute compute) {
        String what = "CLIP text tower (" + config.numHiddenLayers() + " layers, width " + config.hiddenSize() + ")";
        WeightReader.check(source, compute.precision(), what, r -> Parts.read(r, config));
        NDManager m = NDManager.newBaseManager(compute.device(), Towers.ENGINE);
        try {
            WeightReader r = new WeightReader(source, m, compute, dev.sdcond.models.layout.TowerKind.TEXT);
            Parts parts = Parts.read(r, config);
            r.finish(what);
            m.cap();
            return new ClipTextModel(config, compute, m, parts);
        } catch (RuntimeException e) {
            m.close();
            throw e;
        }
    }

    /** The parameters, read by one code path for the header check and for loading. */
    private record Parts(NDArray tok, NDArray pos, ClipEncoder enc, LayerNorm fln, Linear proj) {
        static Parts read(WeightReader r, CLIPTextConfig config) {
            int w = config.hiddenSize();
            NDArray tok = r.take("text_model.embeddings.token_embedding.weight", config.vocabSize(), w);
            NDArray pos = r.take("text_model.embeddings.position_embedding.weight", config.maxPositionEmbeddings(), w);
            ClipEncoder enc = ClipEncoder.load(r, "text_model.encoder", config.numHiddenLayers(), new LayerSpec(w,
                    config.numAttentionHeads(), config.intermediateSize(), config.layerNormEps(), config.hiddenAct(),
                    config.maxPositionEmbeddings()));
            LayerNorm fln = LayerNorm.load(r, "text_model.final_layer_norm", w, config.layerNormEps());
            Optional<long[]> projShape = r.shape("text_projection.weight");
            Linear proj = projShape.isPresent() ? Linear.loadNoBias(r, "text_projection", projShape.get()[0], w) : null;
            return new Parts(tok, pos, enc, fln, proj);
        }
    }

    /**
     * The tower's config.
     *
     * @return the config
     */
    public CLIPTextConfig config() {
        return config;
    }

    /**
     * Where and in what dtype the tower runs.
     *
     * @return the compute choice it was loaded with
     */
    public Compute compute() {
        return compute;
    }

    /**
     * The kernels this tower's layers run, as checked and chosen on this machine while it loaded: each projection's
     * product kernel by shape, and the attention kernel (what the outputs' metadata records as {@code kernels}).
     *
     * @return e.g. {@code qkv [2304 x 768] packed; out_proj [768 x 768] packed; fc1 [3072 x 768] packed;
     *     fc2 [768 x 3072] packed; attention fused}
     */
    public String kernels() {
        return encoder.kernels().summary();
    }

    /**
     * The kernels this tower's layers run, what the load-time checks found and what they cost.
     *
     * @return the report
     */
    public dev.sdcond.models.kernels.KernelReport kernelReport() {
        return encoder.kernels();
    }

    /**
     * The tower's depth.
     *
     * @return the number of encoder layers loaded
     */
    public int numLayers() {
        return encoder.numLayers();
    }

    /**
     * The hidden width.
     *
     * @return W
     */
    public int width() {
        return config.hiddenSize();
    }

    /**
     * The projection width, if the checkpoint has a {@code text_projection}.
     *
     * @return the projection width, or empty without {@code text_projection}
     */
    public Optional<Integer> projectionDim() {
        return textProjection == null ? Optional.empty()
                : Optional.of((int) textProjection.weight().getShape().get(0));
    }

    /**
     * Runs the tower on a batch of token ids.
     *
     * @param manager the caller's manager: the outputs are attached to it, everything else is freed
     * @param ids [B][T] token ids, {@code 1 <= T <= max_position_embeddings}, every row the same length
     * @param request what to compute
     * @return the outputs
     */
    public ClipOutput forward(NDManager manager, long[][] ids, OutputRequest request) {
        return forward(manager, ids, null, request);
    }

    /**
     * Runs the tower with some token embeddings replaced (textual inversion): {@code vectors[b][t]}, when not null,
     * is used instead of the embedding of {@code ids[b][t]}, before the position embedding is added. Pooling still
     * follows the ids, so the id at such a position should not be the EOS id (A1111 uses 0).
     *
     * @param vectors [B][T][W] or null for none; rows and entries may be null
     * @param manager where the outputs are attached
     * @param ids [B][T] token ids
     * @param request what to compute
     * @return the outputs
     */
    public ClipOutput forward(NDManager manager, long[][] ids, float[][][] vectors, OutputRequest request) {
        requireOpen();
        int t = TextIds.check(config, ids);
        int b = ids.length;
        int layers = encoder.numLayers();
        request.validate(layers);
        int depth = request.depth(layers);
        long[] flat = new long[b * t];
        for (int i = 0; i < b; i++) {
            System.arraycopy(ids[i], 0, flat, i * t, t);
        }
        Map<Integer, NDArray> kept = new HashMap<>();
        try (CpuThreads.Pass pass = CpuThreads.enter(compute.device());
                NDManager sub = manager.newSubManager(compute.device())) {
            NDArray idArr = sub.create(flat).reshape(b, t);
            NDArray tok = Embedding.embedding(idArr, tokenEmbedding, SparseFormat.DENSE)
                    .singletonOrThrow(); // [B,T,W]
            if (vectors != null) {
                TextIds.replaceVectors(sub, tok, vectors, config.hiddenSize());
            }
            NDArray h0 = tok.add(positionEmbedding.get(sub, new NDIndex(":{}", t)));
            NDArray rows = request.pooled() ? sub.create(TextPooling.flatRows(config, ids, t)) : null;
            boolean rowsOnly = request.pooledRowsOnly(layers); // the last layer at `rows` alone
            NDArray h = encoder.forward(h0, AttentionMask.CAUSAL, depth, request, kept, rowsOnly ? rows : null);
            NDArray last = null;
            NDArray pooled = null;
            NDArray projected = null;
            if (rowsOnly) {
                pooled = finalLayerNorm.forward(h); // h: [B, W], the pooled rows
            } else if (rows != null) {
                last = finalLayerNorm.forward(h);
                pooled = Embedding.embedding(rows, last.reshape(b * (long) t, config.hiddenSize()), SparseFormat.DENSE)
                        .singletonOrThrow();
            }
            if (pooled != null && textProjection != null) {
                projected = textProjection.forwardEachRow(pooled);
            }
            return ClipOutput.attachedTo(manager, layers, kept, last, pooled, projected);
        }
    }

    /**
     * The tower's {@code final_layer_norm} applied to any hidden state (e.g. a penultimate layer, for "clip skip");
     * the result goes to the manager of {@code hidden}.
     *
     * @param hidden [..., W] hidden states
     * @return them through {@code final_layer_norm}
     */
    public NDArray applyFinalLayerNorm(NDArray hidden) {
        return finalLayerNorm.forward(hidden);
    }

    /**
     * The position pooled for one row of ids, by transformers' rule for this config ({@link TextPooling#position}).
     *
     * @param row one row of ids
     * @return the position whose hidden state is pooled
     */
    public int poolingPosition(long[] row) {
        return TextPooling.position(config, row);
    }

    /**
     * The device the weights live on.
     *
     * @return the device the weights live on
     */
    public Device device() {
        return compute.device();
    }

    /**
     * Whether the weights are still loaded.
     *
     * @return false once closed
     */
    public boolean isOpen() {
        return weights.isOpen();
    }

    private void requireOpen() {
        if (!weights.isOpen()) {
            throw new IllegalStateException("this text tower was closed; its weights are freed");
        }
    }

    /** Frees the weights. */
    @Override
    public void close() {
        weights.close();
    }
}
