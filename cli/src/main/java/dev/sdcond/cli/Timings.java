package dev.sdcond.cli;

import java.io.PrintWriter;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.function.Supplier;

/** {@code --timings}: where one command's wall time went, by phase, printed to stderr at the end. */
final class Timings {
    private final boolean on;
    private final Map<String, Long> nanos = new LinkedHashMap<>();

    Timings(boolean on) {
        this.on = on;
        if (on) {
            // from the JVM's start to the command: starting the JVM and picocli
            long startMs = java.lang.management.ManagementFactory.getRuntimeMXBean().getStartTime();
            nanos.put("start", (System.currentTimeMillis() - startMs) * 1_000_000L);
        }
    }

    /** Runs {@code work}, adding its wall time to {@code phase}. */
    <T> T time(String phase, Supplier<T> work) {
        long t0 = System.nanoTime();
        try {
            return work.get();
        } finally {
            nanos.merge(phase, System.nanoTime() - t0, Long::sum);
        }
    }

    /** Adds (or, negative, takes away) time of a phase measured elsewhere. */
    void add(String phase, long n) {
        nanos.merge(phase, n, Long::sum);
    }

    void print(PrintWriter err) {
        if (on) {
            StringBuilder sb = new StringBuilder("timings:");
            nanos.forEach((k, v) -> sb.append(String.format(Locale.ROOT, " %s %.0f ms,", k, v / 1e6)));
            sb.setLength(sb.length() - 1);
            err.println(sb);
        }
    }
}
