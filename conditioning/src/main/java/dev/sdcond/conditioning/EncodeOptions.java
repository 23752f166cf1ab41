package dev.sdcond.conditioning;

import dev.sdcond.conditioning.embeddings.EmbeddingStore;
import dev.sdcond.conditioning.prompt.PromptStyle;

/**
 * How prompts are turned into conditioning.
 *
 * @param style whose syntax, chunking and weighting to follow
 * @param strictSyntax whether unclosed brackets and stray closers are errors (the tools tolerate them)
 * @param commaBacktrack A1111's comma padding backtrack (20; 0 = off)
 * @param maxChunks at most this many 75-token chunks per prompt (0 = no limit); more is cut with a warning.
 *     1 is the classic truncation to 77 tokens
 * @param layer the layer for every encoder, or null for the preset's
 * @param zeroEmptyNegative all-zero negative conditioning for an empty or absent negative prompt, or null for the
 *     preset's default (SDXL: yes, as diffusers' force_zeros_for_empty_prompt)
 * @param embeddings the textual-inversion embeddings prompts may use (A1111: by name; ComfyUI: embedding:NAME)
 */
public record EncodeOptions(PromptStyle style, boolean strictSyntax, int commaBacktrack, int maxChunks,
        LayerSelection layer, Boolean zeroEmptyNegative, EmbeddingStore embeddings) {

    public static final EncodeOptions DEFAULT = new EncodeOptions(PromptStyle.A1111, false, 20, 0, null, null,
            EmbeddingStore.NONE);

    public EncodeOptions {
        if (maxChunks < 0) {
            throw new dev.sdcond.models.InvalidInputException("the chunk limit must be 0 (none) or more, is " + maxChunks);
        }
        if (commaBacktrack < 0) {
            throw new dev.sdcond.models.InvalidInputException("the comma backtrack must be 0 (off) or more, is "
                    + commaBacktrack);
        }
    }

    public EncodeOptions withStyle(PromptStyle s) {
        return new EncodeOptions(s, strictSyntax, commaBacktrack, maxChunks, layer, zeroEmptyNegative, embeddings);
    }

    public EncodeOptions withMaxChunks(int k) {
        return new EncodeOptions(style, strictSyntax, commaBacktrack, k, layer, zeroEmptyNegative, embeddings);
    }

    public EncodeOptions withLayer(LayerSelection l) {
        return new EncodeOptions(style, strictSyntax, commaBacktrack, maxChunks, l, zeroEmptyNegative, embeddings);
    }

    public EncodeOptions withZeroEmptyNegative(Boolean z) {
        return new EncodeOptions(style, strictSyntax, commaBacktrack, maxChunks, layer, z, embeddings);
    }

    public EncodeOptions withEmbeddings(EmbeddingStore e) {
        return new EncodeOptions(style, strictSyntax, commaBacktrack, maxChunks, layer, zeroEmptyNegative, e);
    }

    public EncodeOptions withStrictSyntax(boolean strict) {
        return new EncodeOptions(style, strict, commaBacktrack, maxChunks, layer, zeroEmptyNegative, embeddings);
    }
}
