package dev.sdcond.conditioning;

import dev.sdcond.conditioning.tokenizer.ClipTokenizer;
import dev.sdcond.models.clip.ClipTextModel;
import dev.sdcond.models.layout.TowerKind;
import dev.sdcond.models.registry.ClipFamily;

/**
 * One text encoder of a pipeline with its tokenizer and padding id.
 *
 * @param tower the CLIP text tower
 * @param tokenizer its tokenizer
 * @param padId 49407 (EOS) for CLIP-L, 0 for OpenCLIP encoders
 * @param originalLayers the depth of the model the checkpoint comes from: more than the loaded depth only for
 *     checkpoints cut short (diffusers' 23-layer SD2 encoder comes from a 24-layer model)
 */
public record TextEncoder(ClipTextModel tower, ClipTokenizer tokenizer, long padId, int originalLayers) {

    /**
     * Checks that the tokenizer's ids all have an embedding in the tower.
     *
     * @param tower the CLIP text tower
     * @param tokenizer its tokenizer
     * @param padId the padding id
     * @param originalLayers the depth of the model the checkpoint comes from
     * @throws dev.sdcond.models.InvalidInputException for a vocabulary larger than the tower's
     */
    public TextEncoder {
        tokenizer.requireIdsBelow(tower.config().vocabSize());
    }

    /**
     * An encoder whose original depth is inferred from its family ({@link ClipFamily#shippedLayers()}): OpenCLIP-H
     * with 23 layers is SD2's cut model.
     *
     * @param tower the loaded tower
     * @param tokenizer its tokenizer
     * @param padId the padding id of the preset's slot
     * @return the encoder
     */
    public static TextEncoder of(ClipTextModel tower, ClipTokenizer tokenizer, long padId) {
        int layers = tower.numLayers();
        int original = ClipFamily.of(TowerKind.TEXT, tower.width())
                .filter(f -> f.shippedLayers() == layers).map(ClipFamily::layers).orElse(layers);
        return new TextEncoder(tower, tokenizer, padId, original);
    }
}
