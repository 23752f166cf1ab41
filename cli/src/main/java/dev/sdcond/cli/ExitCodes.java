package dev.sdcond.cli;

import dev.sdcond.models.InvalidInputException;
import dev.sdcond.models.ModelMismatchException;
import java.io.IOException;
import java.io.UncheckedIOException;

/** The command line's exit codes. */
public final class ExitCodes {
    public static final int OK = 0;
    /** {@code compare}: a tensor differs or is missing. */
    public static final int MISMATCH = 1;
    /** Bad arguments, or a bad input file (the message names the file and the problem). */
    public static final int BAD_INPUT = 2;
    /** Reading or writing failed. */
    public static final int IO = 3;
    /** The model does not fit the task (wrong tower, missing keys, encoder/adapter mismatch). */
    public static final int MODEL_MISMATCH = 4;
    /** A bug in sdcond. */
    public static final int INTERNAL = 70;

    private ExitCodes() {}

    static int of(Throwable e) {
        if (e instanceof ModelMismatchException) {
            return MODEL_MISMATCH;
        }
        if (e instanceof InvalidInputException || e instanceof IllegalArgumentException) {
            return BAD_INPUT;
        }
        if (e instanceof IOException || e instanceof UncheckedIOException) {
            return IO;
        }
        return INTERNAL;
    }
}
