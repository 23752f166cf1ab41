package dev.sdcond.models.layout;

/** How a tower's parameters are named in a checkpoint. */
public enum KeyLayout {
    /** transformers: {@code text_model.*}, {@code vision_model.*}, separate q/k/v, projections [P, W]. */
    HF,
    /** open_clip: {@code transformer.resblocks.N.attn.in_proj_weight}, {@code ln_final}, projections [W, P]. */
    OPENCLIP
}
