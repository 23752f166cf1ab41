package dev.sdcond.models;

/** An input file or argument is malformed: a bad checkpoint, config, image or prompt. */
public class InvalidInputException extends SdcondException {
    public InvalidInputException(String message) {
        super(message);
    }

    public InvalidInputException(String message, Throwable cause) {
        super(message, cause);
    }
}
