package dev.sdcond.models;

/**
 * Base of every error the toolkit raises on purpose. The message is meant for a person: it names the file (and the
 * tensor, key or position) and says what is wrong.
 */
public class SdcondException extends RuntimeException {
    public SdcondException(String message) {
        super(message);
    }

    public SdcondException(String message, Throwable cause) {
        super(message, cause);
    }
}
