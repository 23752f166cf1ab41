package dev.sdcond.models.layout;

/** Text or vision. */
public enum TowerKind { TEXT, VISION }
