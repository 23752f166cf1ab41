package dev.sdcond.models.io;

import dev.sdcond.models.InvalidInputException;
import dev.sdcond.models.OutputException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.stream.Stream;

/**
 * The rules for where an output may go, checked before any work and again when writing. An output file never
 * replaces a folder; an npy output (a folder of {@code KEY.npy} files and {@code metadata.json}) replaces only a folder
 * that is itself such an output, so a user's folder is never deleted; {@code .}, {@code ..} and empty names are
 * refused.
 */
public final class OutputTargets {
    /** The file an npy output folder always holds. */
    public static final String NPY_METADATA = "metadata.json";

    private OutputTargets() {}

    /** The target exists and overwriting was not asked for. */
    public static final class ExistsException extends InvalidInputException {
        /**
         * The error for an output that exists.
         *
         * @param target the output
         */
        public ExistsException(Path target) {
            super(target + ": exists");
        }
    }

    /**
     * Checks a single-file output.
     *
     * @throws InvalidInputException for a bad name, a folder at the target, or an existing file without
     *     {@code overwrite} ({@link ExistsException})
     * @throws OutputException when the folder it goes to cannot be written
     * @param file the output file
     * @param overwrite whether it may replace an existing file
     */
    public static void checkFile(Path file, boolean overwrite) {
        checkName(file);
        if (Files.isDirectory(file, LinkOption.NOFOLLOW_LINKS)) {
            throw new InvalidInputException(file + ": is a folder; an output file never replaces a folder");
        }
        checkReplaceable(file);
        if (Files.exists(file, LinkOption.NOFOLLOW_LINKS) && !overwrite) {
            throw new ExistsException(file);
        }
        checkParent(file);
    }

    /**
     * Checks an npy output folder.
     *
     * @throws InvalidInputException for a bad name, a file at the target, an existing folder without
     *     {@code overwrite} ({@link ExistsException}), or a folder that is not an npy output
     * @throws OutputException when the folder it goes in cannot be written
     * @param dir the output folder
     * @param overwrite whether it may replace an existing npy output
     */
    public static void checkNpyFolder(Path dir, boolean overwrite) {
        checkName(dir);
        if (Files.isSymbolicLink(dir)) {
            throw new InvalidInputException(dir + ": is a symbolic link" + (Files.isDirectory(dir) ? " to a folder" : "")
                    + "; an output never replaces a link (give the path it points to)");
        }
        if (Files.exists(dir, LinkOption.NOFOLLOW_LINKS)) {
            if (!Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
                throw new InvalidInputException(dir + ": is a file; an npy output is a folder and never replaces a file");
            }
            if (!overwrite) {
                throw new ExistsException(dir);
            }
            if (!isNpyOutput(dir)) {
                throw new InvalidInputException(dir + ": is a folder that sdcond did not write (an npy output holds "
                        + NPY_METADATA + " and .npy files only); it is never replaced");
            }
        }
        checkParent(dir);
    }

    /**
     * Whether {@code dir} is an npy output: a real folder holding {@code metadata.json} and {@code .npy} files only.
     *
     * @param dir a folder
     * @return whether it holds only what sdcond writes as an npy output
     */
    public static boolean isNpyOutput(Path dir) {
        return Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS) && holdsNpyFilesOnly(dir)
                && Files.isRegularFile(dir.resolve(NPY_METADATA), LinkOption.NOFOLLOW_LINKS);
    }

    /** Whether every entry of {@code dir} is a plain {@code .npy} file or {@code metadata.json} (true when empty). */
    static boolean holdsNpyFilesOnly(Path dir) {
        try (Stream<Path> s = Files.list(dir)) {
            return s.allMatch(p -> Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS)
                    && (p.getFileName().toString().equals(NPY_METADATA) || p.getFileName().toString().endsWith(".npy")));
        } catch (IOException e) {
            return false;
        }
    }

    /** An existing target must be a regular file: a link, FIFO, device or socket is never replaced, --force or not. */
    private static void checkReplaceable(Path file) {
        if (Files.isSymbolicLink(file)) {
            throw new InvalidInputException(file + ": is a symbolic link; an output never replaces a link (give the"
                    + " path it points to)");
        }
        if (Files.exists(file, LinkOption.NOFOLLOW_LINKS) && !Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS)) {
            throw new InvalidInputException(file + ": is not a regular file (a FIFO, device or socket); an output never"
                    + " replaces one");
        }
    }

    /**
     * Fails when writing {@code target} could destroy what the same command reads: the target exists and is one of
     * the inputs (the same file by identity, through links and hard links), lies inside an input folder, or is a
     * folder that holds an input.
     *
     * @param target the output file or folder
     * @param inputs the files and folders the command reads
     * @throws InvalidInputException naming both
     */
    public static void checkNotInput(Path target, java.util.Collection<Path> inputs) {
        if (!Files.exists(target)) {
            return; // a new name: nothing of the user's is replaced
        }
        Path real;
        try {
            real = target.toRealPath();
        } catch (IOException e) {
            return;
        }
        for (Path in : inputs) {
            if (in == null || !Files.exists(in)) {
                continue;
            }
            try {
                Path inReal = in.toRealPath();
                if (Files.isSameFile(real, inReal) || real.startsWith(inReal) || inReal.startsWith(real)) {
                    throw new InvalidInputException(target + ": is (or holds, or is inside) " + in + ", which this"
                            + " command reads; an output never replaces an input");
                }
            } catch (IOException e) {
                // an input that cannot be resolved is reported where it is read
            }
        }
    }

    private static void checkName(Path target) {
        Path name = target.getFileName();
        String n = name == null ? "" : name.toString();
        if (n.isEmpty() || n.equals(".") || n.equals("..")) {
            throw new InvalidInputException("'" + target + "': not an output name (an output is a file or folder of "
                    + "its own, never '.', '..' or a root)");
        }
    }

    /** The nearest existing folder up from the target must be a writable folder. */
    private static void checkParent(Path target) {
        Path p = target.toAbsolutePath().getParent();
        while (p != null && !Files.exists(p)) {
            p = p.getParent();
        }
        if (p == null) {
            return;
        }
        if (!Files.isDirectory(p)) {
            throw new OutputException(target + ": cannot be written: " + p + " is a file, not a folder");
        }
        if (!Files.isWritable(p)) {
            throw new OutputException(target + ": cannot be written: the folder " + p + " is read-only");
        }
    }

    /**
     * An I/O failure while writing {@code target}, in words that name it ("No space left on device" too).
     *
     * @param target the output
     * @param e the I/O error
     * @return the error to throw, naming the output
     */
    public static OutputException writeFailure(Path target, IOException e) {
        String reason = e.getMessage() == null ? e.toString() : e.getMessage();
        if (e instanceof java.nio.file.FileSystemException fse && fse.getReason() != null) {
            reason = fse.getReason() + (fse.getFile() != null && !fse.getFile().equals(target.toString())
                    ? " (" + fse.getFile() + ")" : "");
        }
        return new OutputException(target + ": cannot write: " + reason, e);
    }
}
