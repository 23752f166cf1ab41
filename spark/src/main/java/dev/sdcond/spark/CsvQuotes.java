package dev.sdcond.spark;

import dev.sdcond.models.InvalidInputException;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/**
 * Finds a CSV quote that is never closed. Spark's reader takes such a field to the end of the file, so the records
 * after it would become one prompt without a word; no row can say that, so the file is refused, naming the line where
 * the quote opens. A quote opens a field only at its start (RFC 4180; doubled quotes inside stand for one).
 */
final class CsvQuotes {

    private CsvQuotes() {
    }

    /**
     * Checks every file Spark would read: the file, or a folder's files not starting with {@code _} or {@code .}.
     *
     * @param conf the Hadoop configuration (local files and URIs)
     * @param input the file or folder
     * @throws InvalidInputException naming the file and the line of a quote never closed
     */
    static void check(Configuration conf, String input) {
        Path p = new Path(input);
        try {
            FileSystem fs = p.getFileSystem(conf);
            FileStatus status = fs.getFileStatus(p);
            FileStatus[] files = status.isDirectory() ? fs.listStatus(p) : new FileStatus[] {status};
            for (FileStatus f : files) {
                String name = f.getPath().getName();
                if (f.isFile() && !name.startsWith("_") && !name.startsWith(".")) {
                    try (InputStream in = new BufferedInputStream(fs.open(f.getPath()), 1 << 16)) {
                        long open = unclosedQuoteLine(in);
                        if (open > 0) {
                            throw new InvalidInputException((status.isDirectory() ? f.getPath().toString()
                                    : input) + ": line " + open + ": a quote opens a"
                                    + " field and is never closed (the rest of the file would be one field);"
                                    + " nothing encoded");
                        }
                    }
                }
            }
        } catch (IOException e) {
            throw new InvalidInputException(input + ": cannot be read: " + e.getMessage(), e);
        }
    }

    /**
     * The line (from 1) where a quote that is never closed opens; 0 when every quote closes.
     *
     * @param in the CSV bytes (UTF-8 or any ASCII-compatible encoding)
     * @return the line, or 0
     * @throws IOException when the stream fails
     */
    static long unclosedQuoteLine(InputStream in) throws IOException {
        long line = 1;
        long opened = 0;
        boolean quoted = false;
        boolean fieldStart = true;
        int c = in.read();
        while (c >= 0) {
            int next = in.read();
            if (quoted) {
                if (c == '"') {
                    if (next == '"') { // a doubled quote stands for one
                        next = in.read();
                    } else {
                        quoted = false;
                    }
                } else if (c == '\n') {
                    line++;
                }
            } else if (c == '"' && fieldStart) {
                quoted = true;
                opened = line;
                fieldStart = false;
            } else if (c == ',' || c == '\n') {
                fieldStart = true;
                line += c == '\n' ? 1 : 0;
            } else if (c != '\r') {
                fieldStart = false;
            }
            c = next;
        }
        return quoted ? opened : 0;
    }
}
