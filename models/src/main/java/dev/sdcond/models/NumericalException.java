package dev.sdcond.models;

/** An output has NaN or Inf values (e.g. float16 overflow); it is never written. */
public class NumericalException extends ModelMismatchException {
    /**
     * An error with its message.
     *
     * @param message which output, and what was found
     */
    public NumericalException(String message) {
        super(message);
    }
}
