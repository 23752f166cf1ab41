package dev.sdcond.models;

/** An output has NaN or Inf values (e.g. float16 overflow); it is never written. */
public class NumericalException extends ModelMismatchException {
    public NumericalException(String message) {
        super(message);
    }
}
