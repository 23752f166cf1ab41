package dev.sdcond.conditioning;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.sdcond.conditioning.tokenizer.T5Tokenizer;
import dev.sdcond.models.t5.T5EncoderModel;
import java.util.List;

/**
 * The T5 encoder of a Flux pipeline with its tokenizer and sequence length, as diffusers' {@code _get_t5_prompt_embeds}
 * uses them: the prompt as written (no weighting syntax), padded or cut to the length with {@code </s>} kept, and
 * {@code last_hidden_state} without an attention mask.
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
     */
    public T5Encoder {
        if (length < 1 || length > 512) {
            throw new dev.sdcond.models.InvalidInputException("the T5 sequence length is 1 to 512 (diffusers'"
                    + " max_sequence_length), got " + length);
        }
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
     * Encodes texts.
     *
     * @param manager where the result is attached
     * @param texts the prompts, as written
     * @return [texts, length, d_model] float32
     */
    NDArray encode(NDManager manager, List<String> texts) {
        long[][] ids = new long[texts.size()][];
        for (int i = 0; i < ids.length; i++) {
            ids[i] = tokenizer.ids(texts.get(i), length);
        }
        return model.forward(manager, ids).lastHiddenState();
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
