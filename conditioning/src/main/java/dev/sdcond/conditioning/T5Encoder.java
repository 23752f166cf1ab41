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
}
