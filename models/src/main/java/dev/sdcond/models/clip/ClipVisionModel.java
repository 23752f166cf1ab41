package dev.sdcond.models.clip;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.convolutional.Conv2d;
import dev.sdcond.models.Compute;
import dev.sdcond.models.runtime.CpuThreads;
import dev.sdcond.models.Towers;
import dev.sdcond.models.config.CLIPVisionConfig;
import dev.sdcond.models.weights.ParameterSource;
import dev.sdcond.models.weights.WeightReader;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/**
 * The CLIP vision tower ({@code vision_model.*} and optional {@code visual_projection}), as transformers'
 * {@code CLIPVisionModelWithProjection}: patch embedding (conv, no bias), class token, position embedding,
 * {@code pre_layrnorm}, pre-LN transformer, {@code post_layernorm} on the class token, projection.
 *
 * <p>Immutable once loaded and safe to call from several threads; weights live in a capped manager of its own.
 */
public final class ClipVisionModel implements AutoCloseable {
    private final CLIPVisionConfig config;
    private final Compute compute;
    private final NDManager weights;
    private final NDArray classEmbedding; // [W]
    private final NDArray patchEmbedding; // [W, C, p, p]
    private final NDArray positionEmbedding; // [N+1, W]
    private final LayerNorm preLayrnorm;
    private final ClipEncoder encoder;
    private final LayerNorm postLayernorm;
    private final Linear visualProjection; // [proj, W], no bias; null when absent

    private ClipVisionModel(CLIPVisionConfig config, Compute compute, NDManager weights, NDArray classEmbedding,
            NDArray patchEmbedding, NDArray positionEmbedding, LayerNorm preLayrnorm, ClipEncoder encoder,
            LayerNorm postLayernorm, Linear visualProjection) {
        this.config = config;
        this.compute = compute;
        this.weights = weights;
        this.classEmbedding = classEmbedding;
        this.patchEmbedding = patchEmbedding;
        this.positionEmbedding = positionEmbedding;
        this.preLayrnorm = preLayrnorm;
        this.encoder = encoder;
        this.postLayernorm = postLayernorm;
        this.visualProjection = visualProjection;
    }

    /**
     * Loads the tower, checking every parameter and shape and reporting all problems at once.
     *
     * @param source the parameters, in Hugging Face names
     * @param config the tower's config
     * @param compute device, dtype, attention kernel
     * @return the tower; close it to free its weights
     */
    public static ClipVisionModel load(ParameterSource source, CLIPVisionConfig config, Compute compute) {
        String what = "CLIP vision tower (" + config.numHiddenLayers() + " layers, width " + config.hiddenSize()
                + ", patch " + config.patchSize() + ")";
        WeightReader.check(source, compute.precision(), what, r -> Parts.read(r, config));
        NDManager m = NDManager.newBaseManager(compute.device(), Towers.ENGINE);
        try {
            WeightReader r = new WeightReader(source, m, compute);
            Parts x = Parts.read(r, config);
            r.finish(what);
            m.cap();
            return new ClipVisionModel(config, compute, m, x.cls(), x.patch(), x.pos(), x.pre(), x.enc(), x.post(),
                    x.proj());
        } catch (RuntimeException e) {
            m.close();
            throw e;
        }
    }

    /** The parameters, read by one code path for the header check and for loading. */
    private record Parts(NDArray cls, NDArray patch, NDArray pos, LayerNorm pre, ClipEncoder enc, LayerNorm post,
            Linear proj) {
        static Parts read(WeightReader r, CLIPVisionConfig config) {
            int w = config.hiddenSize();
            int p = config.patchSize();
            NDArray cls = r.take("vision_model.embeddings.class_embedding", w);
            NDArray patch = r.take("vision_model.embeddings.patch_embedding.weight", w, config.numChannels(), p, p);
            NDArray pos = r.take("vision_model.embeddings.position_embedding.weight", config.numPositions(), w);
            LayerNorm pre = LayerNorm.load(r, "vision_model.pre_layrnorm", w, config.layerNormEps());
            ClipEncoder enc = ClipEncoder.load(r, "vision_model.encoder", config.numHiddenLayers(), new LayerSpec(w,
                    config.numAttentionHeads(), config.intermediateSize(), config.layerNormEps(), config.hiddenAct(),
                    config.numPositions()));
            LayerNorm post = LayerNorm.load(r, "vision_model.post_layernorm", w, config.layerNormEps());
            Optional<long[]> projShape = r.shape("visual_projection.weight");
            Linear proj = projShape.isPresent() ? Linear.loadNoBias(r, "visual_projection", projShape.get()[0], w) : null;
            return new Parts(cls, patch, pos, pre, enc, post, proj);
        }
    }

    /**
     * The tower's config.
     *
     * @return the config
     */
    public CLIPVisionConfig config() {
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
     * The projection width, if the checkpoint has a {@code visual_projection}.
     *
     * @return the projection width, or empty without {@code visual_projection}
     */
    public Optional<Integer> projectionDim() {
        return visualProjection == null ? Optional.empty()
                : Optional.of((int) visualProjection.weight().getShape().get(0));
    }

    /**
     * Runs the tower on preprocessed images.
     *
     * @param manager the caller's manager: the outputs are attached to it, everything else is freed
     * @param pixelValues [B, C, S, S] normalized pixels, any float dtype and device (converted here)
     * @param request what to compute
     * @return the outputs
     */
    public ClipOutput forward(NDManager manager, NDArray pixelValues, OutputRequest request) {
        requireOpen();
        Shape s = pixelValues.getShape();
        int size = config.imageSize();
        if (s.dimension() != 4 || s.get(1) != config.numChannels() || s.get(2) != size || s.get(3) != size) {
            throw new IllegalArgumentException("pixel_values must be [B, " + config.numChannels() + ", " + size + ", "
                    + size + "], got " + s);
        }
        long b = s.get(0);
        int layers = encoder.numLayers();
        request.validate(layers);
        int depth = request.depth(layers);
        Map<Integer, NDArray> kept = new HashMap<>();
        try (CpuThreads.Pass pass = CpuThreads.enter(compute.device());
                NDManager sub = manager.newSubManager(compute.device())) {
            pixelValues.tempAttach(sub);
            NDArray x = pixelValues.toDevice(compute.device(), false).toType(compute.precision().loadType(), false);
            int p = config.patchSize();
            long w = config.hiddenSize();
            long g = config.gridSize();
            NDArray patches = Conv2d.conv2d(x, patchEmbedding, null, new Shape(p, p), new Shape(0, 0),
                    new Shape(1, 1), 1).singletonOrThrow(); // [B, W, g, g]
            patches = patches.reshape(b, w, g * g).transpose(0, 2, 1); // [B, N, W]
            NDArray cls = sub.zeros(new Shape(b, 1, w), compute.precision().loadType()).add(classEmbedding);
            NDArray emb = cls.concat(patches, 1).add(positionEmbedding); // [B, N+1, W]
            NDArray h0 = preLayrnorm.forward(emb);
            long n = emb.getShape().get(1);
            boolean clsOnly = request.pooledRowsOnly(layers); // the last layer at each image's class token alone
            NDArray last = encoder.forward(h0, AttentionMask.NONE, depth, request, kept,
                    clsOnly ? sub.create(java.util.stream.LongStream.range(0, b).map(i -> i * n).toArray()) : null);
            NDArray pooled = null;
            NDArray projected = null;
            if (request.pooled()) {
                pooled = postLayernorm.forward(clsOnly ? last : last.get(new NDIndex(":, 0, :"))); // [B, W]
                if (visualProjection != null) {
                    projected = visualProjection.forwardEachRow(pooled);
                }
            }
            if (clsOnly || !request.pooled()) {
                last = null;
            }
            return ClipOutput.attachedTo(manager, layers, kept, last, pooled, projected);
        }
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
            throw new IllegalStateException("this vision tower was closed; its weights are freed");
        }
    }

    @Override
    public void close() {
        weights.close();
    }
}
