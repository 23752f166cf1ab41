package dev.sdcond.models.io;

import dev.sdcond.models.InvalidInputException;
import dev.sdcond.models.OutputException;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;

/**
 * Writes files through a temporary file in the same folder and a rename, so readers never see a partial file.
 *
 * <p>Temporary files are named {@code .NAME.<pid>.<n>.partial} after the output and the writing process. A process
 * killed while writing (kill -9, power loss) leaves one behind; the next write into the same folder deletes those
 * whose process is gone ({@link StaleTemps}).
 */
public final class AtomicFiles {
    private AtomicFiles() {}

    /** Writes the body of a file. */
    @FunctionalInterface
    public interface Body {
        /**
         * Writes the file's contents.
         *
         * @param out where to write
         * @throws IOException when writing fails
         */
        void writeTo(OutputStream out) throws IOException;
    }

    /**
     * Writes {@code file} atomically.
     *
     * @param overwrite whether an existing file may be replaced; if not, an existing file is a
     *     {@link FileAlreadyExistsException} and is left untouched. A folder is never replaced by a file.
     * @throws InvalidInputException when the target exists (without {@code overwrite}) or is a folder
     * @throws OutputException when the file cannot be written (the message names it)
     * @param file the output
     * @param body what to write
     */
    public static void write(Path file, boolean overwrite, Body body) {
        Path target = file.toAbsolutePath();
        OutputTargets.checkFile(file, overwrite);
        Path dir = target.getParent();
        Path tmp = null;
        try {
            Files.createDirectories(dir);
            StaleTemps.clean(target);
            tmp = Files.createTempFile(dir, StaleTemps.tempPrefix(target), StaleTemps.TEMP_SUFFIX);
            try {
                // createTempFile makes the file private (0600); outputs are ordinary files
                Files.setPosixFilePermissions(tmp, java.nio.file.attribute.PosixFilePermissions.fromString("rw-r--r--"));
            } catch (UnsupportedOperationException | IOException ignored) {
                // not a POSIX file system
            }
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING);
                    OutputStream out = new BufferedOutputStream(java.nio.channels.Channels.newOutputStream(ch), 1 << 20)) {
                body.writeTo(out);
                out.flush();
                ch.force(true);
            }
            if (overwrite) {
                if (Files.isDirectory(target, LinkOption.NOFOLLOW_LINKS)) {
                    throw new InvalidInputException(file + ": is a folder; it is not replaced by a file");
                }
                try {
                    Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
                } catch (AtomicMoveNotSupportedException e) {
                    Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
                }
            } else {
                // a hard link fails if the target appeared in the meantime, never replacing it
                try {
                    Files.createLink(target, tmp);
                } catch (FileAlreadyExistsException e) {
                    throw new OutputTargets.ExistsException(file);
                } catch (IOException | UnsupportedOperationException e) {
                    try {
                        Files.move(tmp, target); // without REPLACE_EXISTING: fails if the target exists
                    } catch (FileAlreadyExistsException e2) {
                        throw new OutputTargets.ExistsException(file);
                    }
                }
            }
        } catch (IOException e) {
            throw OutputTargets.writeFailure(file, e);
        } finally {
            if (tmp != null) {
                try {
                    Files.deleteIfExists(tmp);
                } catch (IOException ignored) {
                    // the next write of this output removes it
                }
            }
        }
    }

    /** Fills a new folder. */
    @FunctionalInterface
    public interface FolderBody {
        /**
         * Writes the folder's files.
         *
         * @param folder the temporary folder to fill
         * @throws IOException when writing fails
         */
        void writeInto(Path folder) throws IOException;
    }

    /**
     * Writes an npy output folder: it is filled under a temporary name and renamed into place. An existing folder is
     * replaced only with {@code overwrite} and only if it is an npy output itself ({@link OutputTargets#isNpyOutput});
     * it is first renamed aside, so that a failure at any point leaves the old or the new folder, never a mix.
     *
     * @throws InvalidInputException when the target may not be replaced (see {@link OutputTargets#checkNpyFolder})
     * @throws OutputException when the folder cannot be written
     * @param folder the output
     * @param overwrite whether an existing npy output may be replaced
     * @param body what to write
     */
    public static void writeFolder(Path folder, boolean overwrite, FolderBody body) {
        Path target = folder.toAbsolutePath();
        OutputTargets.checkNpyFolder(folder, overwrite);
        Path dir = target.getParent();
        Path tmp = null;
        Path aside = null;
        try {
            Files.createDirectories(dir);
            StaleTemps.clean(target);
            tmp = Files.createTempDirectory(dir, StaleTemps.tempPrefix(target));
            Path named = dir.resolve(tmp.getFileName() + StaleTemps.TEMP_SUFFIX);
            Files.move(tmp, named);
            tmp = named;
            body.writeInto(tmp);
            if (Files.exists(target, LinkOption.NOFOLLOW_LINKS)) {
                OutputTargets.checkNpyFolder(folder, overwrite); // again: it may have changed while we worked
                aside = dir.resolve(StaleTemps.tempPrefix(target) + System.nanoTime() + StaleTemps.TEMP_SUFFIX);
                Files.move(target, aside, StandardCopyOption.ATOMIC_MOVE);
            }
            Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE);
            tmp = null;
            if (aside != null) {
                StaleTemps.deleteTree(aside);
                aside = null;
            }
        } catch (IOException e) {
            throw OutputTargets.writeFailure(folder, e);
        } finally {
            try {
                if (aside != null && !Files.exists(target, LinkOption.NOFOLLOW_LINKS)) {
                    Files.move(aside, target, StandardCopyOption.ATOMIC_MOVE); // put the old output back
                }
                if (tmp != null && Files.isDirectory(tmp, LinkOption.NOFOLLOW_LINKS)) {
                    StaleTemps.deleteTree(tmp);
                }
            } catch (IOException ignored) {
                // the next write into this folder removes what is stale
            }
        }
    }
}
