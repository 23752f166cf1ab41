package dev.sdcond.models.clip;

/** Which positions a query attends to in a tower's layers. */
enum AttentionMask {
    /** position i attends to positions up to i (text towers) */
    CAUSAL,
    /** every position attends to every position (vision towers) */
    NONE;

    /** @return whether the mask is causal, as the layer kernel takes it */
    boolean causal() {
        return this == CAUSAL;
    }
}
