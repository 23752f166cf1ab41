package dev.sdcond.models;

/**
 * Base of every error the toolkit raises on purpose; all are unchecked. The message is meant for a person: it names the
 * file (and the tensor, key or position) and says what is wrong, without advice that only fits one front end.
 *
 * <p>One hierarchy, by whose problem it is:
 * <ul>
 *   <li>{@link InvalidInputException}: what the caller gave is malformed or missing (a file, a config, an image, a
 *       prompt in strict mode, an option value); subclasses name the format ({@code SafetensorsException},
 *       {@code ImageLoadException}, {@code PromptSyntaxException}, {@code OutputTargets.ExistsException})</li>
 *   <li>{@link ModelMismatchException}: a well-formed model does not fit the task (missing keys, wrong shapes, an
 *       encoder an IP-Adapter cannot use), and {@link NumericalException}: an output holds NaN or Inf</li>
 *   <li>{@link OutputException}: an output cannot be written (the folder is a file or read-only, the disk is
 *       full)</li>
 * </ul>
 * Anything else ({@code IllegalArgumentException} for a call that breaks a documented precondition,
 * {@code IllegalStateException}, a DJL or libtorch error) is a bug in the calling code or in sdcond. The command line
 * maps the three kinds to exit codes 2, 4 and 3, and everything else to 70.
 */
public class SdcondException extends RuntimeException {
    /**
     * An error with its message.
     *
     * @param message what is wrong, naming the file
     */
    public SdcondException(String message) {
        super(message);
    }

    /**
     * An error with its message and cause.
     *
     * @param message what is wrong, naming the file
     * @param cause the underlying error
     */
    public SdcondException(String message, Throwable cause) {
        super(message, cause);
    }
}
