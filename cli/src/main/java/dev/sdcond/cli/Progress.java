package dev.sdcond.cli;

import java.io.PrintWriter;

/** A progress bar on a terminal (nothing when stderr is not one) and a closing summary. */
final class Progress {
    private final PrintWriter err;
    private final int total;
    private final boolean tty;
    private final long start = System.nanoTime();
    private int done;

    Progress(PrintWriter err, int total) {
        this.err = err;
        this.total = total;
        this.tty = System.console() != null && System.getenv("CI") == null;
    }

    void step() {
        step(1);
    }

    /** Counts {@code n} more items done. */
    void step(int n) {
        done += n;
        if (tty) {
            int width = 30;
            int filled = total == 0 ? width : done * width / total;
            err.print("\r[" + "#".repeat(filled) + " ".repeat(width - filled) + "] " + done + "/" + total);
            err.flush();
        }
    }

    void finish(String what) {
        double s = (System.nanoTime() - start) / 1e9;
        if (tty) {
            err.println();
        }
        err.printf("%d %s in %.2f s (%.2f/s)%n", done, what, s, s > 0 ? done / s : 0.0);
        err.flush();
    }
}
