package dev.sdcond.models.layout;

/** How a tower's parameters are named in a checkpoint. */
public enum KeyLayout {
    /** transformers: {@code text_model.*}, {@code vision_model.*}, separate q/k/v, projections [P, W]. */
    HF,
    /**
     * transformers' text keys without the {@code text_model.} level ({@code embeddings.*}, {@code encoder.layers.*},
     * {@code final_layer_norm.*}), as older SD1.x single files store them under {@code cond_stage_model.transformer.}.
     */
    HF_UNNESTED,
    /** open_clip: {@code transformer.resblocks.N.attn.in_proj_weight}, {@code ln_final}, projections [W, P]. */
    OPENCLIP
}
