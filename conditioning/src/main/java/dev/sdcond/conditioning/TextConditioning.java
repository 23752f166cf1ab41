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
 */
public record TextConditioning(NDArray hiddenStates, NDArray pooled, long[][] inputIds, long[][] attentionMask,
        int[] tokenCounts, int[] droppedTokens, List<List<ParsedPrompt.Warning>> warnings) {

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
