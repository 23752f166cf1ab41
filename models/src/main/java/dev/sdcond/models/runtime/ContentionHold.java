package dev.sdcond.models.runtime;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The second half of {@link CpuThreads}: load that {@code /proc/stat} cannot tell from this process's own, such as
 * busy threads of this same JVM. A pass's calling thread that spent more than {@value #WAIT_SHARE_PERCENT}% of the
 * pass waiting for a core (Linux's run-queue time, {@code /proc/thread-self/schedstat}) while running with 2 or more
 * threads had its threads competing for cores. Two such passes in a row at the full count (one is not enough: the
 * JVM's compiler threads make the first passes of a process wait so) hold the passes of the next second at one thread
 * fewer. After a hold, one contended pass at the full count starts the next hold, twice as long (up to
 * {@value #MAX_HOLD_S} s); a pass at the full count that finds no contention ends the streak and the doubling, so a
 * lasting load costs one slow pass per hold.
 * Synchronized by {@link CpuThreads}.
 */
final class ContentionHold {
    static final int WAIT_SHARE_PERCENT = 25;
    static final int MAX_HOLD_S = 32;
    private static final long SECOND = 1_000_000_000L;
    private static final Path SCHEDSTAT = Path.of("/proc/thread-self/schedstat");
    private static final boolean AVAILABLE = waitedNanos() >= 0;

    private long hold = SECOND;
    private int streak; // contended passes at the full count since the last clean one
    private boolean holding; // whether a hold was ever set; `until` says when the last one ends
    private long until;
    private int cap = Integer.MAX_VALUE;

    /**
     * The count for a pass starting now.
     *
     * @param now {@link System#nanoTime}
     * @param n the count {@code /proc/stat}'s reading allows
     * @return {@code n}, or less while a hold lasts
     */
    int cap(long now, int n) {
        return holds(now) ? Math.min(n, cap) : n;
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
        if (held || holds(now)) {
            return; // a pass at a held count says nothing about the full count
        }
        if (n < 2 || waitShare * 100 <= WAIT_SHARE_PERCENT) {
            streak = 0;
            hold = SECOND;
        } else if (++streak >= 2) {
            cap = n - 1;
            holding = true;
            until = now + hold;
            hold = Math.min(2 * hold, MAX_HOLD_S * SECOND);
        }
    }

    private boolean holds(long now) {
        return holding && now - until < 0;
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
