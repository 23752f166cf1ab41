package dev.sdcond.spark;

import dev.sdcond.models.InvalidInputException;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/**
 * The output and errors tables as committed pieces: each piece of a run is a folder {@code piece=RUN-K} in both
 * tables, written with Spark's commit protocol, and it counts only when both folders hold {@code _SUCCESS}. A crash
 * loses at most the pieces in flight; resuming deletes the folders of pieces that did not commit (ours by their name)
 * and encodes their rows again, so no row is ever in the tables twice. The tables' own {@code _SUCCESS} marks a run
 * that finished. Readers see one table: {@code sdcond_piece} is a partition column.
 *
 * @param output the output table's folder or URI
 * @param errors the errors table's folder or URI
 * @param conf the Hadoop configuration
 */
record Pieces(String output, String errors, Configuration conf) {
    /** The partition column a piece's rows carry when the table is read. */
    static final String COLUMN = "sdcond_piece";

    /**
     * Refuses existing tables (a first run never writes into anything that is there).
     *
     * @throws InvalidInputException naming the table that exists
     */
    void requireAbsent() {
        for (String t : List.of(output, errors)) {
            if (exists(new Path(t))) {
                throw new InvalidInputException(t + ": already exists (outputs are never overwritten; --resume adds"
                        + " the missing rows)");
            }
        }
    }

    /**
     * Prepares a resume: removes the tables' {@code _SUCCESS} (the run is not finished until this one is) and the
     * folders of pieces that did not commit in both tables.
     *
     * @return the committed pieces' folders, output's then errors'
     * @throws InvalidInputException for a table written otherwise (files at its top level)
     */
    List<String> committedForResume() {
        List<String> out = new ArrayList<>();
        List<String> names = new ArrayList<>();
        for (String t : List.of(output, errors)) {
            for (FileStatus s : list(new Path(t))) {
                String name = s.getPath().getName();
                if (s.isFile() && name.endsWith(".parquet")) {
                    throw new InvalidInputException(t + ": holds rows outside pieces (written by an earlier version"
                            + " of sdcond or by hand); --resume cannot tell which rows committed. Start a new output");
                }
                if (s.isDirectory() && name.startsWith(COLUMN + "=") && !names.contains(name)) {
                    names.add(name);
                }
            }
            delete(new Path(t, "_SUCCESS"));
        }
        for (String name : names) {
            Path o = new Path(output, name);
            Path e = new Path(errors, name);
            if (exists(new Path(o, "_SUCCESS")) && exists(new Path(e, "_SUCCESS"))) {
                out.add(o.toString());
                out.add(e.toString());
            } else { // in flight when the run stopped: its rows are encoded again
                delete(o);
                delete(e);
            }
        }
        return out;
    }

    /**
     * The folder of a piece in a table.
     *
     * @param table {@link #output()} or {@link #errors()}
     * @param run the run's name
     * @param k the piece's number in the run
     * @return the folder
     */
    static String folder(String table, String run, int k) {
        return new Path(table, String.format(Locale.ROOT, "%s=%s-%05d", COLUMN, run, k)).toString();
    }

    /** Marks both tables finished ({@code _SUCCESS}, empty). */
    void finish() {
        for (String t : List.of(output, errors)) {
            Path p = new Path(t, "_SUCCESS");
            try {
                p.getFileSystem(conf).mkdirs(new Path(t));
                p.getFileSystem(conf).create(p, true).close();
            } catch (IOException e) {
                throw new dev.sdcond.models.OutputException(t + ": cannot be written: " + e.getMessage(), e);
            }
        }
    }

    private boolean exists(Path p) {
        try {
            return p.getFileSystem(conf).exists(p);
        } catch (IOException e) {
            throw new InvalidInputException(p + ": cannot be read: " + e.getMessage(), e);
        }
    }

    private FileStatus[] list(Path p) {
        try {
            FileSystem fs = p.getFileSystem(conf);
            return fs.exists(p) ? fs.listStatus(p) : new FileStatus[0];
        } catch (IOException e) {
            throw new InvalidInputException(p + ": cannot be read: " + e.getMessage(), e);
        }
    }

    private void delete(Path p) {
        try {
            p.getFileSystem(conf).delete(p, true);
        } catch (IOException e) {
            throw new dev.sdcond.models.OutputException(p + ": cannot be removed: " + e.getMessage(), e);
        }
    }
}
