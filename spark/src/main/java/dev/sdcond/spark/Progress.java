package dev.sdcond.spark;

import java.io.PrintWriter;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The progress display of a local run: rows encoded so far (counted by the tasks, which run in this JVM under a local
 * master), the total and the rate, on standard error: one line rewritten every two seconds on a terminal, a line every
 * 30 seconds otherwise, and a last line at the end. On a cluster, Spark's UI shows the tasks instead.
 */
final class Progress implements AutoCloseable {
    /** Rows encoded in this JVM (local mode: every task's). */
    static final AtomicLong ROWS = new AtomicLong();

    private final Thread thread;
    private final PrintWriter err;
    private final long total;
    private final long start = System.nanoTime();
    private final long base = ROWS.get();

    private Progress(PrintWriter err, long total) {
        this.err = err;
        this.total = total;
        this.thread = new Thread(this::loop, "sdcond-progress");
        thread.setDaemon(true);
    }

    /**
     * Starts the display.
     *
     * @param err where to print
     * @param total the rows to encode
     * @return the display; close it to print the last line
     */
    static Progress start(PrintWriter err, long total) {
        Progress p = new Progress(err, total);
        p.thread.start();
        return p;
    }

    private void loop() {
        boolean terminal = System.console() != null; // a terminal: one line rewritten; a log: a line each 30 s
        try {
            while (!Thread.currentThread().isInterrupted()) {
                Thread.sleep(terminal ? 2000 : 30000);
                print(!terminal);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private synchronized void print(boolean last) {
        long done = ROWS.get() - base;
        double s = (System.nanoTime() - start) / 1e9;
        double rate = s > 0 ? done / s : 0.0;
        String eta = "";
        if (rate > 0 && done < total) {
            long left = Math.round((total - done) / rate);
            eta = String.format(java.util.Locale.ROOT, ", about %dh%02dm%02ds left", left / 3600, left / 60 % 60,
                    left % 60);
        }
        err.printf(java.util.Locale.ROOT, "%ssdcond-dataset: %d / %d rows, %.1f rows/s%s%s",
                System.console() != null ? "\r" : "", done, total, rate, eta, last ? "\n" : "");
        err.flush();
    }

    @Override
    public void close() {
        thread.interrupt();
        print(true);
    }
}
