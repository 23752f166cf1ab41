package dev.sdcond.conditioning;

/** Which pooled vector a preset takes from its pooling encoder. */
public enum PooledKind {
    /** None (SD1.x, SD2.x). */
    NONE,
    /** {@code text_embeds}: the pooled row through {@code text_projection} (SDXL: bigG, [1280]). */
    PROJECTED,
    /** {@code pooler_output}: the pooled row, unprojected (Flux / SD3-style CLIP-L, [768]). */
    POOLER
}
