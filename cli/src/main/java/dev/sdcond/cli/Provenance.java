package dev.sdcond.cli;

/** What goes into an output's metadata about where it came from. */
final class Provenance {
    static final String VERSION = "0.1.0";

    /** What {@code model_sha256} covers, recorded beside it. */
    static String covers(int tensorsRead) {
        return tensorsRead == 0 ? "nothing (random weights)"
                : "each weight file's header, then the bytes of the " + tensorsRead
                        + " tensor(s) read from it, in file order (other parts of the file are not hashed)";
    }

    private Provenance() {}
}
