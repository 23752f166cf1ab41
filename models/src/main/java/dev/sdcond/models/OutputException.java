package dev.sdcond.models;

/** An output could not be written (the folder is a file or read-only, the disk is full, ...); the message names it. */
public class OutputException extends SdcondException {
    public OutputException(String message) {
        super(message);
    }

    public OutputException(String message, Throwable cause) {
        super(message, cause);
    }
}
