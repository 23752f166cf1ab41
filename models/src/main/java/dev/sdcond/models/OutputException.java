package dev.sdcond.models;

/** An output could not be written (the folder is a file or read-only, the disk is full, ...); the message names it. */
public class OutputException extends SdcondException {
    /** @param message what cannot be written, and why */
    public OutputException(String message) {
        super(message);
    }

    /**
     * @param message what cannot be written, and why
     * @param cause the I/O error
     */
    public OutputException(String message, Throwable cause) {
        super(message, cause);
    }
}
