package dev.sdcond.cli;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code bench --busy N}: N other processes (POSIX {@code sh} loops) that keep a core busy each until closed. They are
 * processes, not threads of this JVM, so that sdcond sees them as it would see any other program's load (its CPU
 * threads adapt to what other processes use). Each loop also ends by itself once this JVM is gone, so a killed bench
 * leaves nothing running.
 */
final class BusyProcesses implements AutoCloseable {
    // counts to 100000 between checks that the JVM ($0) still lives: all shell built-ins, so it stays on the CPU
    private static final String LOOP = "i=0; while :; do i=$((i+1)); if [ $i -ge 100000 ]; then"
            + " kill -0 $0 2>/dev/null || exit 0; i=0; fi; done";
    private final List<Process> processes = new ArrayList<>();

    BusyProcesses(int n) throws IOException {
        String pid = Long.toString(ProcessHandle.current().pid());
        try {
            for (int i = 0; i < n; i++) {
                processes.add(new ProcessBuilder("sh", "-c", LOOP, pid).redirectErrorStream(true)
                        .redirectOutput(ProcessBuilder.Redirect.DISCARD).start());
            }
        } catch (IOException e) {
            close();
            throw new IOException("bench --busy: could not start a busy process (sh): " + e.getMessage(), e);
        }
    }

    @Override
    public void close() {
        for (Process p : processes) {
            p.destroyForcibly();
        }
        for (Process p : processes) {
            try {
                p.waitFor();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }
}
