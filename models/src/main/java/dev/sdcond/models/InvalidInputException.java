package dev.sdcond.models;

/** An input file or argument is malformed: a bad checkpoint, config, image or prompt. */
public class InvalidInputException extends SdcondException {
    /**
     * An error with its message.
     *
     * @param message what is wrong, naming the file
     */
    public InvalidInputException(String message) {
        super(message);
    }

    /**
     * An error with its message and cause.
     *
     * @param message what is wrong, naming the file
     * @param cause the underlying error
     */
    public InvalidInputException(String message, Throwable cause) {
        super(message, cause);
    }
}
