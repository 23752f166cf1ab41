package dev.sdcond.models.io;

import java.nio.file.Path;

/** A process that starts writing an output and never finishes: killed by {@link StaleTempsProcessTest}. */
public final class SlowWriter {
    private SlowWriter() {}

    public static void main(String[] args) {
        AtomicFiles.write(Path.of(args[0]), false, out -> {
            out.write(new byte[1024]);
            out.flush();
            try {
                Thread.sleep(120_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
    }
}
