package dev.sdcond.conditioning;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import dev.sdcond.conditioning.prompt.PromptStyle;
import dev.sdcond.conditioning.tokenizer.T5Tokenizer;
import dev.sdcond.models.t5.T5EncoderModel;
import java.util.List;

/**
 * The T5 encoder of a Flux or SD3 pipeline with its tokenizer and sequence length: {@code last_hidden_state} without an
 * attention mask, of ids made as diffusers' {@code _get_t5_prompt_embeds} makes them (the prompt as written, padded or
 * cut to the length with {@code </s>} kept) or, under ComfyUI's style, as ComfyUI does ({@link T5Rows}).
 *
 * @param model the encoder
 * @param tokenizer its tokenizer
 * @param length the sequence length (diffusers' {@code max_sequence_length}: 512 for FLUX.1-dev, 256 for schnell)
 */
public record T5Encoder(T5EncoderModel model, T5Tokenizer tokenizer, int length) {

    /**
     * Checks the length.
     *
     * @param model the encoder
     * @param tokenizer its tokenizer
     * @param length 1 to 512, as diffusers allows
     * @throws dev.sdcond.models.InvalidInputException for another length, or a vocabulary larger than the encoder's
     */
    public T5Encoder {
        tokenizer.requireIdsBelow(model.config().vocabSize());
        if (length < 1 || length > 512) {
            throw new dev.sdcond.models.InvalidInputException("the T5 sequence length is 1 to 512 (diffusers'"
                    + " max_sequence_length), got " + length);
        }
    }

    /**
     * The encoder, for descriptions.
     *
     * @return e.g. {@code T5, 24 blocks, width 4096}
     */
    public String describe() {
        return "T5, " + model.config().numLayers() + " blocks, width " + model.config().dModel();
    }

    /**
     * This encoder with another sequence length.
     *
     * @param n the length
     * @return the encoder
     */
    public T5Encoder withLength(int n) {
        return new T5Encoder(model, tokenizer, n);
    }

    /**
     * Encodes a group of texts (the positives, or the negatives) as {@link T5Rows} says for the style.
     *
     * @param manager where the result is attached
     * @param texts the prompts
     * @param style the prompt style (ComfyUI's: its tokenization, minimum length and weighting)
     * @param comfyMinimum ComfyUI's minimum length for the preset
     * @return [texts, length, d_model] float32, and the ids
     */
    Encoded encode(NDManager manager, List<String> texts, PromptStyle style, int comfyMinimum) {
        T5Rows rows = T5Rows.of(tokenizer, texts, style, length, comfyMinimum);
        return new Encoded(hidden(manager, rows), rows.ids());
    }

    /**
     * A group's T5 encoding.
     *
     * @param hidden [texts, length, d_model] float32
     * @param ids [texts][length] the ids encoded
     */
    record Encoded(NDArray hidden, long[][] ids) {}

    private NDArray hidden(NDManager manager, T5Rows rows) {
        if (rows.weights() == null) {
            return model.forward(manager, rows.ids()).lastHiddenState();
        }
        int n = rows.ids().length;
        int t = rows.ids()[0].length;
        long[][] withEmpty = java.util.Arrays.copyOf(rows.ids(), n + 1);
        withEmpty[n] = rows.emptyRow();
        try (NDManager sub = manager.newSubManager()) {
            NDArray z = model.forward(sub, withEmpty).lastHiddenState(); // [n + 1, T, D]
            NDArray empty = z.get(new NDIndex("{}:", n));
            NDArray zs = z.get(new NDIndex(":{}", n));
            float[] w = new float[n * t];
            boolean[] unweighted = new boolean[n * t];
            for (int i = 0; i < n; i++) {
                System.arraycopy(rows.weights()[i], 0, w, i * t, t);
                for (int j = 0; j < t; j++) {
                    unweighted[i * t + j] = rows.weights()[i][j] == 1f;
                }
            }
            Shape s = new Shape(n, t, 1);
            NDArray weights = sub.create(w, s).toDevice(z.getDevice(), false).broadcast(zs.getShape());
            NDArray keep = sub.create(unweighted, s).toDevice(z.getDevice(), false).broadcast(zs.getShape());
            NDArray out = NDArrays.where(keep, zs, zs.sub(empty).mul(weights).add(empty)); // ComfyUI: only w != 1
            out.attach(manager);
            return out;
        }
    }

    /**
     * SD3's {@code prompt_embeds}: the CLIP hidden states zero-padded on the right to T5's width, then T5's tokens.
     *
     * @param clip [B, 77 * k, C]
     * @param t5 [B, L, D], D at least C
     * @return [B, 77 * k + L, D]
     */
    static NDArray appendTo(NDManager manager, NDArray clip, NDArray t5) {
        long c = clip.getShape().get(2);
        long d = t5.getShape().get(2);
        if (c > d) { // diffusers' F.pad with a negative width would silently crop the CLIP features
            throw new dev.sdcond.models.ModelMismatchException("the CLIP encoders' width " + c
                    + " is larger than the T5 encoder's " + d + ": not an SD3 pipeline");
        }
        NDArray padded = c == d ? clip : clip.concat(manager.zeros(new ai.djl.ndarray.types.Shape(
                clip.getShape().get(0), clip.getShape().get(1), d - c), clip.getDataType(), clip.getDevice()), 2);
        return padded.concat(t5, 1);
    }
}
