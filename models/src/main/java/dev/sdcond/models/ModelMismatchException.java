package dev.sdcond.models;

/** The checkpoint is well formed but is not what the operation needs (missing keys, wrong shapes, wrong model). */
public class ModelMismatchException extends SdcondException {
    /**
     * An error with its message.
     *
     * @param message what does not fit, naming the file
     */
    public ModelMismatchException(String message) {
        super(message);
    }
}
