package dev.sdcond.ipadapter;

import ai.djl.ndarray.NDArray;

/**
 * Image embeddings for IP-Adapter, attached to the caller's manager, float32.
 *
 * @param imageEmbeds [B, P] visual_projection(post_layernorm(CLS of the last layer)): IP-Adapter's input; null when the
 *     encoder has no projection
 * @param hiddenStates [B, T, W] hidden_states[layer] (no post norm): with layer -2, IP-Adapter Plus's input
 *     ([B, 257, 1280] for ViT-H/14)
 * @param layer the hidden_states index of {@code hiddenStates} as asked for (negative from the end)
 * @param pixelValues [B, 3, S, S] the preprocessed images
 * @param uncondImageEmbeds like imageEmbeds, for the negative; null when no uncond was asked for
 * @param uncondHiddenStates like hiddenStates, for the negative
 */
public record ImageEmbeddings(NDArray imageEmbeds, NDArray hiddenStates, int layer, NDArray pixelValues,
        NDArray uncondImageEmbeds, NDArray uncondHiddenStates) {}
