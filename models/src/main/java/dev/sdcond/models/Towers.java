package dev.sdcond.models;

/** Shared constants of the towers. */
public final class Towers {
    /** The DJL engine every tower runs on. */
    public static final String ENGINE = "PyTorch";

    private Towers() {}
}
