package dev.sdcond.models;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The second half of {@link CpuThreads}: load that {@code /proc/stat} cannot tell from this process's own, such as
 * busy threads of this same JVM. A pass's calling thread that spent more than {@value #WAIT_SHARE_PERCENT}% of the
 * pass waiting for a core (Linux's run-queue time, {@code /proc/thread-self/schedstat}) while running with 2 or more
 * threads had its threads competing for cores; the passes that start in the next second then run with one thread
 * fewer. The hold doubles (up to {@value #MAX_HOLD_S} s) each time the full count meets such contention again, and goes
 * back to one second after a pass at the full count finds none, so a lasting load costs one slow pass per hold.
 * Synchronized by {@link CpuThreads}.
 */
final class ContentionHold {
    static final int WAIT_SHARE_PERCENT = 25;
    static final int MAX_HOLD_S = 32;
    private static final long SECOND = 1_000_000_000L;
    private static final Path SCHEDSTAT = Path.of("/proc/thread-self/schedstat");
    private static final boolean AVAILABLE = waitedNanos() >= 0;

    private long hold = SECOND;
    private long until = Long.MIN_VALUE;
    private int cap = Integer.MAX_VALUE;

    /**
     * The count for a pass starting now.
     *
     * @param now {@link System#nanoTime}
     * @param n the count {@code /proc/stat}'s reading allows
     * @return {@code n}, or less while a hold lasts
     */
    int cap(long now, int n) {
        return now - until < 0 ? Math.min(n, cap) : n;
    }

    /**
     * What a pass found.
     *
     * @param now {@link System#nanoTime} at its end
     * @param n the threads it ran with
     * @param held whether a hold had lowered its count
     * @param waitShare the share of its wall time its calling thread waited for a core
     */
    void passEnded(long now, int n, boolean held, double waitShare) {
        if (n >= 2 && waitShare * 100 > WAIT_SHARE_PERCENT) {
            cap = n - 1;
            until = now + hold;
            hold = Math.min(2 * hold, MAX_HOLD_S * SECOND);
        } else if (!held && now - until >= 0) {
            hold = SECOND;
        }
    }

    /**
     * Whether the run-queue time of a thread can be read here.
     *
     * @return whether {@link #waitedNanos} works
     */
    static boolean available() {
        return AVAILABLE;
    }

    /**
     * Nanoseconds the calling thread has waited on a run queue since it started.
     *
     * @return nanoseconds, or -1 where Linux's schedstat cannot be read
     */
    static long waitedNanos() {
        try {
            String s = Files.readString(SCHEDSTAT).strip();
            String[] f = s.split(" ");
            return Long.parseLong(f[1]);
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }
}
