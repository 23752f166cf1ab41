package dev.sdcond.models.t5;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.SparseFormat;
import ai.djl.nn.core.Embedding;
import dev.sdcond.models.checkpoint.Checkpoints;
import dev.sdcond.models.Compute;
import dev.sdcond.models.runtime.CpuThreads;
import dev.sdcond.models.InvalidInputException;
import dev.sdcond.models.Precision;
import dev.sdcond.models.Towers;
import dev.sdcond.models.safetensors.TensorSource;
import dev.sdcond.models.weights.ParameterSource;
import dev.sdcond.models.weights.PrefixedSource;
import dev.sdcond.models.weights.WeightReader;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;

/**
 * transformers' {@code T5EncoderModel} (v1.1, as the T5-XXL of Flux and SD3): token embeddings (no scaling, no
 * position embedding), blocks of RMS-normed self-attention without the {@code 1/sqrt(d_kv)} scale plus a relative
 * position bias (computed from block 0's table and shared by every block) and a gated tanh-GELU feed-forward, then a
 * final RMS norm. No attention mask: padding tokens are attended to, as diffusers feeds them. Hidden states follow the
 * CLIP towers' convention: {@code hidden_states[0]} the embeddings, {@code hidden_states[i]} the raw output of block i,
 * and the final norm only in {@code last_hidden_state}. Immutable after loading; close it to free its weights.
 */
public final class T5EncoderModel implements AutoCloseable {
    private final T5Config config;
    private final NDManager manager;
    private final NDArray embeddings; // [V, d]
    private final NDArray biasTable; // [buckets, heads]
    private final List<T5Block> blocks;
    private final NDArray finalNorm; // [d]
    private final T5Block.Constants constants;
    private final T5Weights products;
    private final Map<Integer, long[]> bucketsByLength = new ConcurrentHashMap<>();

    private T5EncoderModel(T5Config config, NDManager manager, NDArray embeddings, NDArray biasTable,
            List<T5Block> blocks, NDArray finalNorm, T5Block.Constants constants, T5Weights products) {
        this.products = products;
        this.constants = constants;
        this.config = config;
        this.manager = manager;
        this.embeddings = embeddings;
        this.biasTable = biasTable;
        this.blocks = blocks;
        this.finalNorm = finalNorm;
    }

    /**
     * Loads a Hugging Face T5 encoder folder ({@code config.json} + {@code model.safetensors} or a sharded index; F32,
     * F16 or BF16 weights, kept and computed as {@link T5Weights} says).
     *
     * @param folder the folder
     * @param compute device and dtype
     * @return the encoder; close it to free its weights
     * @throws InvalidInputException for a missing or malformed folder, config or weights
     * @throws dev.sdcond.models.ModelMismatchException when the weights do not match the config
     */
    public static T5EncoderModel open(Path folder, Compute compute) {
        T5Config config = T5Config.read(folder.resolve("config.json"));
        try (TensorSource src = Checkpoints.open(folder)) {
            return load(PrefixedSource.of(src), config, compute);
        }
    }

    /**
     * Loads the encoder from parameters in transformers' names ({@code shared.weight} or
     * {@code encoder.embed_tokens.weight}, {@code encoder.block.N.*}, {@code encoder.final_layer_norm.weight}).
     *
     * @param source the parameters
     * @param config the config
     * @param compute device and dtype
     * @return the encoder; close it to free its weights
     */
    public static T5EncoderModel load(ParameterSource source, T5Config config, Compute compute) {
        T5Weights products = new T5Weights(compute.precision());
        String what = "T5 encoder (" + config.numLayers() + " blocks, width " + config.dModel() + ")";
        WeightReader.check(source, Precision.FLOAT32, what, r -> Parts.read(r, config, products));
        NDManager m = NDManager.newBaseManager(compute.device(), Towers.ENGINE);
        try { // read in float32, one tensor at a time, and kept as T5Weights says
            WeightReader r = new WeightReader(source, m, new Compute(compute.device(), Precision.FLOAT32,
                    compute.attention(), compute.linear()));
            Parts p = Parts.read(r, config, products);
            r.finish(what);
            T5Block.Constants constants = T5Block.Constants.of(m, config);
            m.cap();
            return new T5EncoderModel(config, m, p.embeddings(), p.biasTable(), p.blocks(), p.finalNorm(),
                    constants, products);
        } catch (RuntimeException e) {
            m.close();
            throw e;
        }
    }

    /** The parameters, read by one code path for the header check and for loading. */
    private record Parts(NDArray embeddings, NDArray biasTable, List<T5Block> blocks, NDArray finalNorm) {
        static Parts read(WeightReader r, T5Config c, T5Weights w) {
            String embed = r.shape("shared.weight").isPresent() ? "shared.weight" : "encoder.embed_tokens.weight";
            NDArray emb = w.matrix(r, embed, false, c.vocabSize(), c.dModel());
            NDArray table = r.take("encoder.block.0.layer.0.SelfAttention.relative_attention_bias.weight",
                    c.numBuckets(), c.numHeads());
            // the config's block count against the weights' (counted up to what is there): a claim of a million
            // blocks beside tiny weights costs what the weights cost, not what the config claims
            boolean stored = r.shape(embed).isPresent(); // generated (random) weights report no shapes
            int held = 0;
            while (stored && held <= c.numLayers() && r.shape("encoder.block." + held + ".layer.0.SelfAttention.q.weight")
                    .isPresent()) {
                held++;
            }
            if (stored && held != c.numLayers()) {
                throw new dev.sdcond.models.ModelMismatchException("T5 config: num_layers is " + c.numLayers()
                        + ", but the weights hold " + (held > c.numLayers() ? "more than that" : held + " blocks"));
            }
            List<T5Block> blocks = new ArrayList<>();
            for (int i = 0; i < c.numLayers(); i++) {
                blocks.add(T5Block.load(r, "encoder.block." + i, c, w));
            }
            return new Parts(emb, table, blocks, r.take("encoder.final_layer_norm.weight", c.dModel()));
        }
    }

    /**
     * The memory its matrices (embedding table and projections) take: 2 bytes per parameter where they are kept in
     * 16 bits, 4 in float32.
     *
     * @return their bytes
     */
    public long matrixBytes() {
        return products.keptBytes();
    }

    /**
     * The config.
     *
     * @return the config the encoder was loaded with
     */
    public T5Config config() {
        return config;
    }

    /**
     * What one forward pass gives, attached to the caller's manager, float32.
     *
     * @param hiddenStates the hidden states asked for, by index (0 the embeddings, i the raw output of block i)
     * @param lastHiddenState [B, T, d] the final norm of the last block's output
     */
    public record Output(Map<Integer, NDArray> hiddenStates, NDArray lastHiddenState) {}

    /**
     * Runs the encoder.
     *
     * @param manager where the outputs are attached
     * @param ids [B][T] token ids, every row the same length
     * @param keep the hidden_states indices to return besides {@code last_hidden_state} (0 .. num_layers)
     * @return the outputs
     */
    public Output forward(NDManager manager, long[][] ids, int... keep) {
        return run(manager, ids, blocks.size(), keep);
    }

    /**
     * One hidden state, running the blocks up to it only (early stop, as the CLIP towers do for a chosen layer).
     *
     * @param manager where the output is attached
     * @param ids [B][T] token ids, every row the same length
     * @param index 0 (the embeddings) .. num_layers (the raw output of the last block, before the final norm)
     * @return [B, T, d] float32
     */
    public NDArray hiddenState(NDManager manager, long[][] ids, int index) {
        if (index < 0 || index > blocks.size()) {
            throw new IllegalArgumentException("hidden state " + index + " of a T5 encoder with " + blocks.size()
                    + " blocks");
        }
        return run(manager, ids, index, index).hiddenStates().get(index);
    }

    private Output run(NDManager manager, long[][] ids, int depth, int... keep) {
        int b = ids.length;
        int t = ids[0].length;
        long[] flat = new long[b * t];
        for (int i = 0; i < b; i++) {
            if (ids[i].length != t) {
                throw new IllegalArgumentException("row " + i + " has " + ids[i].length + " ids, row 0 has " + t);
            }
            for (long id : ids[i]) {
                if (id < 0 || id >= config.vocabSize()) {
                    throw new IllegalArgumentException("token id " + id + " is outside the vocabulary of "
                            + config.vocabSize());
                }
            }
            System.arraycopy(ids[i], 0, flat, i * t, t);
        }
        Map<Integer, NDArray> kept = new TreeMap<>();
        try (CpuThreads.Pass pass = CpuThreads.enter(this.manager.getDevice());
                NDManager sub = manager.newSubManager(this.manager.getDevice())) {
            NDArray x = products.embed(sub.create(flat), embeddings);
            // the bias of every (query, key) pair, gathered on the device from block 0's table: [1, H, T, T]
            long[] buckets = bucketsByLength.computeIfAbsent(t, n -> RelativePositions.buckets(n, config.numBuckets(),
                    config.maxDistance()));
            NDArray positionBias = Embedding.embedding(sub.create(buckets), biasTable, SparseFormat.DENSE)
                    .singletonOrThrow().reshape(t, t, config.numHeads()).transpose(2, 0, 1).expandDims(0);
            keepIf(kept, keep, 0, x, b, t);
            for (int i = 0; i < depth; i++) {
                NDArray next;
                try (NDManager scope = sub.newSubManager()) { // a block's intermediates are freed with it
                    x.tempAttach(scope);
                    next = blocks.get(i).forward(x, b, t, positionBias, constants);
                    next.attach(sub);
                }
                x.close(); // a flat array: a kept state holds its own view of the same memory
                x = next;
                keepIf(kept, keep, i + 1, x, b, t);
            }
            NDArray last = depth < blocks.size() ? null
                    : T5Block.rmsNorm(x, finalNorm, constants).reshape(b, t, config.dModel());
            if (last != null) {
                last.attach(manager);
            }
            for (NDArray a : kept.values()) {
                a.attach(manager);
            }
            return new Output(kept, last);
        }
    }

    private void keepIf(Map<Integer, NDArray> kept, int[] keep, int index, NDArray x, int b, int t) {
        for (int k : keep) {
            if (k == index) {
                kept.put(index, x.reshape(b, t, config.dModel()));
            }
        }
    }

    @Override
    public void close() {
        manager.close();
    }
}
