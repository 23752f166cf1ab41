package dev.sdcond.models.kernels;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;

/**
 * Where a kernel that disagrees on this machine is reported: one line per kernel and shape per process, on standard
 * error unless an application routes it elsewhere ({@link #setSink}).
 */
final class KernelWarnings {
    private static final Set<String> SAID = ConcurrentHashMap.newKeySet();
    private static final Consumer<String> STANDARD_ERROR = line -> System.err.println("sdcond: warning: " + line);
    private static volatile Consumer<String> sink = STANDARD_ERROR;

    private KernelWarnings() {}

    /**
     * Routes the warnings, e.g. into an application's log.
     *
     * @param lines receives each warning line once
     */
    public static void setSink(Consumer<String> lines) {
        sink = java.util.Objects.requireNonNull(lines, "lines");
    }

    /** Routes the warnings back to standard error, the default. */
    public static void toStandardError() {
        sink = STANDARD_ERROR;
    }

    /** Forgets what was said, so that it is said again (for tests). */
    static void forget() {
        SAID.clear();
    }

    /** Says {@code line} unless something with this key was said before in this process. */
    static void once(String key, String line) {
        if (SAID.add(key)) {
            sink.accept(line);
        }
    }
}
