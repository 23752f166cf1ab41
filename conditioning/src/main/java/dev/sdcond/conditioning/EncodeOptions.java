package dev.sdcond.conditioning;

import dev.sdcond.conditioning.embeddings.EmbeddingStore;
import dev.sdcond.conditioning.prompt.ChunkLimit;
import dev.sdcond.conditioning.prompt.PromptStyle;
import java.util.Optional;

/**
 * How prompts are turned into conditioning.
 *
 * @param style whose syntax, chunking and weighting to follow
 * @param strictSyntax whether unclosed brackets and stray closers are errors (the tools tolerate them)
 * @param commaBacktrack A1111's comma padding backtrack (20; 0 = off)
 * @param chunkLimit how many 75-token chunks a prompt may take, and what a longer one gets
 * @param layer the layer for every encoder; empty for the preset's own
 * @param zeroEmptyNegative all-zero negative conditioning for an empty or absent negative prompt; empty for the
 *     preset's default (SDXL: yes, as diffusers' force_zeros_for_empty_prompt)
 * @param embeddings the textual-inversion embeddings prompts may use (A1111: by name; ComfyUI: embedding:NAME)
 */
public record EncodeOptions(PromptStyle style, boolean strictSyntax, int commaBacktrack, ChunkLimit chunkLimit,
        Optional<LayerSelection> layer, Optional<Boolean> zeroEmptyNegative, EmbeddingStore embeddings) {

    /**
     * A1111's prompt handling, comma backtrack 20, the default chunk limit, the preset's layers and zeroing, no
     * embeddings.
     */
    public static final EncodeOptions DEFAULT = new EncodeOptions(PromptStyle.A1111, false, 20, ChunkLimit.DEFAULT,
            Optional.empty(),
            Optional.empty(), EmbeddingStore.NONE);

    /**
     * Checks the options.
     *
     * @throws dev.sdcond.models.InvalidInputException for a negative comma backtrack
     * @param style whose syntax, chunking and weighting to follow
     * @param strictSyntax whether unclosed brackets and stray closers are errors
     * @param commaBacktrack A1111's comma padding backtrack (0 = off)
     * @param chunkLimit the chunk limit per prompt
     * @param layer the layer for every encoder; empty for the preset's
     * @param zeroEmptyNegative zeroed empty negatives; empty for the preset's default
     * @param embeddings the textual-inversion embeddings
     */
    public EncodeOptions {
        java.util.Objects.requireNonNull(style, "style");
        java.util.Objects.requireNonNull(layer, "layer");
        java.util.Objects.requireNonNull(zeroEmptyNegative, "zeroEmptyNegative");
        java.util.Objects.requireNonNull(embeddings, "embeddings");
        java.util.Objects.requireNonNull(chunkLimit, "chunkLimit");
        if (commaBacktrack < 0) {
            throw new dev.sdcond.models.InvalidInputException("the comma backtrack must be 0 (off) or more, is "
                    + commaBacktrack);
        }
    }

    /**
     * These options with another prompt style.
     *
     * @param s the style
     * @return the options
     */
    public EncodeOptions withStyle(PromptStyle s) {
        return new EncodeOptions(s, strictSyntax, commaBacktrack, chunkLimit, layer, zeroEmptyNegative, embeddings);
    }

    /**
     * These options with prompts cut after {@code k} chunks (1: the classic 77-token truncation; 0: no limit).
     *
     * @param k at most this many chunks per prompt (0 = no limit)
     * @return the options
     */
    public EncodeOptions withMaxChunks(int k) {
        return new EncodeOptions(style, strictSyntax, commaBacktrack, ChunkLimit.cutAt(k), layer, zeroEmptyNegative,
                embeddings);
    }

    /**
     * These options with one layer for every encoder.
     *
     * @param l the layer
     * @return the options
     */
    public EncodeOptions withLayer(LayerSelection l) {
        return new EncodeOptions(style, strictSyntax, commaBacktrack, chunkLimit, Optional.of(l), zeroEmptyNegative,
                embeddings);
    }

    /**
     * These options with or without zeroed conditioning for empty negative prompts, whatever the preset's default.
     *
     * @param z whether to zero
     * @return the options
     */
    public EncodeOptions withZeroEmptyNegative(boolean z) {
        return new EncodeOptions(style, strictSyntax, commaBacktrack, chunkLimit, layer, Optional.of(z), embeddings);
    }

    /**
     * These options with textual-inversion embeddings.
     *
     * @param e the embeddings prompts may use
     * @return the options
     */
    public EncodeOptions withEmbeddings(EmbeddingStore e) {
        return new EncodeOptions(style, strictSyntax, commaBacktrack, chunkLimit, layer, zeroEmptyNegative, e);
    }

    /**
     * These options with strict or tolerant syntax.
     *
     * @param strict whether syntax problems are errors
     * @return the options
     */
    public EncodeOptions withStrictSyntax(boolean strict) {
        return new EncodeOptions(style, strict, commaBacktrack, chunkLimit, layer, zeroEmptyNegative, embeddings);
    }
}
