package dev.sdcond.conditioning;

import ai.djl.ndarray.NDArray;
import dev.sdcond.conditioning.prompt.ParsedPrompt;
import java.util.List;

/**
 * The conditioning of a batch of prompts, attached to the caller's manager, in float32.
 *
 * @param hiddenStates [B, 77 * chunks, D] (D = 768 SD1.x, 1024 SD2.x, 2048 SDXL); null for presets without
 * @param pooled [B, P], or null for presets without
 * @param inputIds [B][77 * chunks] the first encoder's ids (padding as that encoder pads)
 * @param attentionMask [B][77 * chunks] 1 up to and including each chunk's EOS, 0 on padding
 * @param tokenCounts per prompt, tokens of text encoded
 * @param droppedTokens per prompt, tokens cut off by the chunk limit
 * @param warnings per prompt, the syntax problems that were tolerated
 * @param t5InputIds [B][L] the T5 ids of Flux and SD3 (diffusers' {@code text_input_ids}), null without T5
 * @param t5AttentionMask [B][L] 1 up to and including the {@code </s>} that ends each prompt, 0 on padding (the
 *     tokenizer's {@code attention_mask}; the pipelines do not pass it to T5), null without T5
 */
public record TextConditioning(NDArray hiddenStates, NDArray pooled, long[][] inputIds, long[][] attentionMask,
        int[] tokenCounts, int[] droppedTokens, List<List<ParsedPrompt.Warning>> warnings, long[][] t5InputIds,
        long[][] t5AttentionMask) {

    /**
     * The conditioning of CLIP encoders alone.
     *
     * @param hiddenStates see the record's
     * @param pooled see the record's
     * @param inputIds see the record's
     * @param attentionMask see the record's
     * @param tokenCounts see the record's
     * @param droppedTokens see the record's
     * @param warnings see the record's
     */
    public TextConditioning(NDArray hiddenStates, NDArray pooled, long[][] inputIds, long[][] attentionMask,
            int[] tokenCounts, int[] droppedTokens, List<List<ParsedPrompt.Warning>> warnings) {
        this(hiddenStates, pooled, inputIds, attentionMask, tokenCounts, droppedTokens, warnings, null, null);
    }

    /**
     * This conditioning with the T5 ids its hidden states were encoded from, and their mask.
     *
     * @param ids [B][L] T5 ids, each row ending in {@code </s>} then padding (0)
     * @return the conditioning with {@code t5InputIds} and {@code t5AttentionMask}
     */
    TextConditioning withT5(long[][] ids) {
        long[][] mask = new long[ids.length][];
        for (int i = 0; i < ids.length; i++) {
            mask[i] = new long[ids[i].length];
            int last = ids[i].length - 1;
            while (last >= 0 && ids[i][last] != dev.sdcond.conditioning.tokenizer.T5Tokenizer.EOS) {
                last--;
            }
            java.util.Arrays.fill(mask[i], 0, last + 1, 1L);
        }
        return new TextConditioning(hiddenStates, pooled, inputIds, attentionMask, tokenCounts, droppedTokens, warnings,
                ids, mask);
    }

    /**
     * What a prompt's encoding tolerated or cut, in words: syntax problems, embeddings an encoder could not take, and
     * tokens past the chunk limit.
     *
     * @param i the prompt's index in the batch
     * @return one message per problem; empty when there was none
     */
    public List<String> messages(int i) {
        List<String> out = new java.util.ArrayList<>(warnings.get(i).stream().map(Object::toString).toList());
        if (droppedTokens[i] > 0) {
            out.add(droppedTokens[i] + " tokens past the chunk limit were dropped");
        }
        return out;
    }

    /**
     * The number of 77-token chunks per prompt.
     *
     * @return k
     */
    public int chunks() {
        return inputIds[0].length / 77;
    }
}
