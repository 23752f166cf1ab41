package dev.sdcond.models.layout;

/** Text or vision. */
public enum TowerKind {
    /** A CLIP text tower. */
    TEXT,
    /** A CLIP vision tower. */
    VISION
}
