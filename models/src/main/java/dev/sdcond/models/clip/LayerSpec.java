package dev.sdcond.models.clip;

import dev.sdcond.models.config.Activation;

/**
 * The shape of a tower's encoder layers, from its config.
 *
 * @param width the hidden size W
 * @param heads the attention heads
 * @param intermediate the MLP's hidden size
 * @param eps the layer norms' epsilon
 * @param act the MLP's activation
 * @param tokens the sequence length the tower runs at (77 for text, 257 for ViT-H/14 at 224 px): the row count that
 *     MKL-packed weights are packed for
 */
record LayerSpec(int width, int heads, int intermediate, double eps, Activation act, int tokens) {}
