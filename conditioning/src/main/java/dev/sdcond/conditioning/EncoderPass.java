package dev.sdcond.conditioning;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import dev.sdcond.conditioning.prompt.Chunk;
import dev.sdcond.models.InvalidInputException;
import dev.sdcond.models.clip.ClipOutput;
import dev.sdcond.models.clip.OutputRequest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * One text encoder's step of a call: the plan's rows as this encoder sees them (its ids, its half of each embedding),
 * one forward pass over all rows, then the chosen layer (weighted, per prompt) and the pooled vectors.
 *
 * @param encoder the encoder
 * @param index its position in the preset
 * @param encoderCount the preset's encoders (a dual embedding's parts: {@code clip_l}, then {@code clip_g})
 * @param role the preset slot's name, for messages
 */
record EncoderPass(TextEncoder encoder, int index, int encoderCount, String role) {

    /**
     * What one pass gives, float32, on the call's manager.
     *
     * @param hidden [prompts, 77 * k, D], or null when not asked for
     * @param pooled [prompts, P] of each prompt's first chunk, or null when not asked for
     */
    record Output(NDArray hidden, NDArray pooled) {}

    /**
     * Runs the pass.
     *
     * @param layer the hidden state to take (the forward pass stops there unless the pooled vector is asked for)
     * @param negativeLayer the hidden state the negative prompts take (SD3's pipeline ignores clip_skip for them);
     *     usually {@code layer}
     * @param hiddenStates whether to return the layer's hidden states
     * @param pooled which pooled vector to take ({@link PooledKind#NONE} for none)
     */
    Output run(NDManager sub, ConditioningPlan plan, LayerSelection layer, LayerSelection negativeLayer,
            boolean hiddenStates, PooledKind pooled) {
        List<Chunk> rows = rows(plan);
        long[][] ids = new long[rows.size()][];
        float[][][] vectors = new float[rows.size()][][];
        for (int r = 0; r < rows.size(); r++) {
            ids[r] = rows.get(r).ids77(encoder.padId());
            vectors[r] = vectors77(rows.get(r));
        }
        int abs = layer.resolve(encoder.tower().numLayers(), encoder.originalLayers());
        int absNeg = negativeLayer.resolve(encoder.tower().numLayers(), encoder.originalLayers());
        boolean split = !negativeLayer.equals(layer) && plan.negatives() > 0;
        OutputRequest request = !hiddenStates ? OutputRequest.hiddenStates(new int[0])
                : split ? OutputRequest.hiddenStates(abs, absNeg) : OutputRequest.hiddenStates(abs);
        if (pooled != PooledKind.NONE) {
            request = request.withPooledVectors();
        }
        ClipOutput out = encoder.tower().forward(sub, ids, vectors, request);
        NDArray p = null;
        if (pooled != PooledKind.NONE) {
            p = plan.firstChunks(pooled == PooledKind.PROJECTED ? out.projected() : out.pooled())
                    .toType(DataType.FLOAT32, false);
        }
        NDArray h = null;
        if (hiddenStates) {
            h = plan.perPrompt(layerOf(sub, plan, out, abs, layer, rows));
            if (split) { // the positives' rows from one layer, the negatives' from the other
                NDArray hn = plan.perPrompt(layerOf(sub, plan, out, absNeg, negativeLayer, rows));
                int pos = plan.promptCount() - plan.negatives();
                h = h.get("0:" + pos).concat(hn.get(pos + ":"), 0);
            }
        }
        return new Output(h, p);
    }

    /** One layer's hidden states of every row, normed as asked, float32, weighted. */
    private NDArray layerOf(NDManager sub, ConditioningPlan plan, ClipOutput out, int abs, LayerSelection layer,
            List<Chunk> rows) {
        NDArray z = out.hiddenState(abs);
        if (layer.finalNorm()) {
            z = encoder.tower().applyFinalLayerNorm(z);
        }
        return plan.weighting().apply(sub, z.toType(DataType.FLOAT32, false), rows);
    }

    /** The part of an embedding file this encoder takes: {@code clip_l}, or SDXL's second encoder {@code clip_g}. */
    private String part() {
        return encoderCount == 2 && index == 1 ? "clip_g" : "clip_l";
    }

    /**
     * The rows as this encoder sees them. An embedding with no vectors of this encoder's width is left out of this
     * encoder's chunks (the tokens after it move up), as ComfyUI does with an SD1.x embedding on SDXL's bigG or with a
     * dual file that lacks this encoder's half; on a single-encoder model a width that does not fit is an error.
     */
    private List<Chunk> rows(ConditioningPlan plan) {
        int width = encoder.tower().width();
        List<Chunk> out = new ArrayList<>(plan.rows().size());
        for (int row = 0; row < plan.rows().size(); row++) {
            Chunk c = plan.rows().get(row);
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
                    float[][] vectors = v[i].embedding().forPart(part());
                    if (vectors == null || vectors[0].length != width) {
                        if (encoderCount == 1) {
                            throw new InvalidInputException(v[i].embedding().file() + ": embedding vectors of width "
                                    + (vectors == null ? "(none)" : vectors[0].length)
                                    + ", but the text encoder's width is " + width);
                        }
                        plan.note(plan.promptOf(row), "embedding " + v[i].embedding().name() + " has no vectors of "
                                + role + "'s width " + width + " and is left out of its tokens (as ComfyUI does)");
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
    private float[][] vectors77(Chunk c) {
        if (!c.hasVectors()) {
            return null;
        }
        float[][] out = new float[77][];
        Chunk.VectorRef[] v = c.vectors();
        for (int i = 0; i < v.length; i++) {
            if (v[i] != null) {
                out[i + 1] = v[i].embedding().forPart(part())[v[i].row()];
            }
        }
        return out;
    }
}
