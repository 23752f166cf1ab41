package dev.sdcond.models.layout;

import java.util.Optional;

/**
 * A CLIP tower found in a checkpoint by its key names and shapes.
 *
 * @param kind text or vision
 * @param layout how its keys are named
 * @param prefix what precedes the layout's own names (e.g. {@code cond_stage_model.transformer.} or
 *     {@code conditioner.embedders.1.model.})
 * @param width hidden size
 * @param layers transformer layers
 * @param mlpWidth intermediate size
 * @param projection projection width, if the checkpoint has a projection
 * @param patchSize vision only: the patch size (0 for text)
 * @param imageSize vision only: the input size (0 for text)
 * @param positions text: the context length; vision: the number of positions
 * @param where for people: e.g. "SDXL single file, conditioner.embedders.1"
 */
public record DetectedTower(TowerKind kind, KeyLayout layout, String prefix, int width, int layers, int mlpWidth,
        Optional<Integer> projection, int patchSize, int imageSize, int positions, String where) {}
