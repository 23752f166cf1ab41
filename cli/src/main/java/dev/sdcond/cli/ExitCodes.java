package dev.sdcond.cli;

import dev.sdcond.models.InvalidInputException;
import dev.sdcond.models.ModelMismatchException;
import dev.sdcond.models.OutputException;

/**
 * The command line's exit codes. One contract: 2 for anything wrong with what the user gave (an option, an input file
 * that is missing, unreadable or malformed, an output name that may not be used), 3 only when an output cannot be
 * written, 4 when a well-formed model does not fit the task, 70 only for a bug.
 */
public final class ExitCodes {
    public static final int OK = 0;
    /** {@code compare}: a tensor differs or is missing. */
    public static final int MISMATCH = 1;
    /** Bad arguments, or a bad input file (the message names the file and the problem). */
    public static final int BAD_INPUT = 2;
    /** An output could not be written (the message names it). */
    public static final int IO = 3;
    /** The model does not fit the task (wrong tower, missing keys, encoder/adapter mismatch; NaN/Inf outputs). */
    public static final int MODEL_MISMATCH = 4;
    /** A bug in sdcond. */
    public static final int INTERNAL = 70;

    private ExitCodes() {}

    static int of(Throwable e) {
        if (e instanceof ModelMismatchException) {
            return MODEL_MISMATCH;
        }
        if (e instanceof InvalidInputException || e instanceof picocli.CommandLine.ParameterException) {
            return BAD_INPUT;
        }
        if (e instanceof OutputException) {
            return IO;
        }
        return INTERNAL;
    }
}
