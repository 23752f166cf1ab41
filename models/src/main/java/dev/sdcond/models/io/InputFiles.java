package dev.sdcond.models.io;

import dev.sdcond.models.InvalidInputException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/**
 * Reading the user's input files. Every failure is an {@link InvalidInputException} that names the file and says what
 * is wrong: missing, a folder where a file is needed, unreadable, or not UTF-8.
 */
public final class InputFiles {
    private InputFiles() {}

    /**
     * The whole file.
     *
     * @param file the file
     * @return its bytes
     */
    public static byte[] readBytes(Path file) {
        requireFile(file);
        try {
            return Files.readAllBytes(file);
        } catch (IOException | OutOfMemoryError e) {
            throw unreadable(file, e);
        }
    }

    /**
     * The whole file as UTF-8 text.
     *
     * @param file the file
     * @return its text
     */
    public static String readUtf8(Path file) {
        byte[] bytes = readBytes(file);
        try {
            return utf8(ByteBuffer.wrap(bytes));
        } catch (CharacterCodingException e) {
            throw new InvalidInputException(file + ": not UTF-8 text", e);
        }
    }

    /**
     * Strict UTF-8 decoding: malformed bytes are an error, not replacement characters.
     *
     * @throws CharacterCodingException where the bytes are not UTF-8
     * @param bytes UTF-8 bytes
     * @return the text
     */
    public static String utf8(ByteBuffer bytes) throws CharacterCodingException {
        return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT).decode(bytes).toString();
    }

    /**
     * A new SHA-256 digest (every JVM has one).
     *
     * @return a new SHA-256 digest
     */
    public static java.security.MessageDigest sha256() {
        try {
            return java.security.MessageDigest.getInstance("SHA-256");
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * Fails unless {@code file} is an existing regular file (or a link to one): a FIFO, a device or a socket is
     * refused before it is opened, since reading one may block forever or never end.
     *
     * @param file the file that must exist
     */
    public static void requireFile(Path file) {
        if (Files.isDirectory(file)) {
            throw new InvalidInputException(file + ": is a folder, a file is needed here");
        }
        if (!Files.exists(file)) {
            throw new InvalidInputException(file + ": no such file");
        }
        if (!Files.isRegularFile(file)) {
            throw new InvalidInputException(file + ": is not a regular file (a FIFO, device or socket); sdcond reads"
                    + " files only");
        }
    }

    /**
     * Fails unless {@code file} is a regular file of at most {@code maxBytes}, checked by its size before it is read.
     *
     * @param file the file
     * @param maxBytes the largest size accepted
     * @param kind what such a file is, for the message (e.g. "a CLIP tokenizer file (CLIP's are 0.5 to 2.2 MB)")
     */
    public static void requireAtMost(Path file, long maxBytes, String kind) {
        requireFile(file);
        long size;
        try {
            size = Files.size(file);
        } catch (IOException e) {
            throw unreadable(file, e);
        }
        if (size > maxBytes) {
            throw new InvalidInputException(file + ": " + size + " bytes, over the " + maxBytes + " " + kind
                    + " may have; not read");
        }
    }

    /**
     * The SHA-256 of a whole file, hex.
     *
     * @param file the file
     * @return its SHA-256, hex
     */
    public static String sha256(Path file) {
        java.security.MessageDigest md = sha256();
        try (java.io.InputStream in = Files.newInputStream(file)) {
            byte[] buf = new byte[1 << 20];
            for (int n; (n = in.read(buf)) > 0; ) {
                md.update(buf, 0, n);
            }
        } catch (IOException e) {
            throw unreadable(file, e);
        }
        return java.util.HexFormat.of().formatHex(md.digest());
    }

    /**
     * An input that could not be read, naming it.
     *
     * @param file the file
     * @param e the I/O error
     * @return the error to throw, naming the file
     */
    public static InvalidInputException unreadable(Path file, Throwable e) {
        if (e instanceof NoSuchFileException) {
            return new InvalidInputException(file + ": no such file", e);
        }
        String why = e instanceof java.nio.file.FileSystemException f && f.getReason() != null ? f.getReason()
                : e instanceof java.nio.file.AccessDeniedException ? "permission denied"
                : e.getMessage() == null ? e.toString() : e.getMessage();
        return new InvalidInputException(file + ": cannot read: " + why, e);
    }
}
