package dev.sdcond.models.runtime;

import ai.djl.Device;
import ai.djl.pytorch.jni.JniUtils;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * How many intra-op threads each forward pass on the CPU uses: libtorch's count (its default, {@code --threads}, or
 * the system property {@code ai.djl.pytorch.num_threads}), or fewer while other processes keep this machine's cores
 * busy.
 *
 * <p>libtorch's OpenMP threads spin while they wait for work (GNU libgomp's default): fastest on a quiet machine, but
 * beside another busy process a thread with no core of its own spins on the core that the process needs, and each
 * parallel step waits for the slowest thread: CLIP-L text at batch 1 took 3x as long with 2 threads on 2 cores beside
 * one busy process, and less with 1 thread. So every pass measures (from Linux's {@code /proc/stat}, at most every
 * {@value #WINDOW_MS} ms) how many cores other processes used since the last reading, and runs with as many threads as
 * cores are left (at least 1, at most libtorch's count), shared between the passes running at the same time. The
 * first reading is taken when a tower is set up to load ({@link #watch}), so the first pass already knows the load.
 * Outputs were bitwise the same at 1 and 2 threads in every configuration checked (README, Performance).
 *
 * <p>Busy threads of this same process that are not sdcond passes (an application decoding images beside its passes)
 * count as this process's own time in {@code /proc/stat}; they are caught instead by the time a pass's thread waits
 * for a core ({@link ContentionHold}). Passes running at the same time share the cores.
 *
 * <p>{@link #setAdaptive(boolean) setAdaptive(false)} (or {@code -Dsdcond.adaptiveThreads=false}) keeps libtorch's
 * count. Where {@code /proc} cannot be read (not Linux), libtorch's count is used. The count is set for the calling
 * thread (OpenMP's and MKL's settings are per thread), so passes on different threads do not disturb each other.
 */
public final class CpuThreads {
    static final int WINDOW_MS = 200;

    private static final AtomicInteger PASSES = new AtomicInteger();
    private static final ThreadLocal<int[]> LAST = ThreadLocal.withInitial(() -> new int[1]);
    private static final ContentionHold HOLD = new ContentionHold(); // the fields below it: under the class lock
    private static volatile boolean adaptive = adaptiveByDefault();
    private static double others; // cores other processes used in the last window
    private static int max; // libtorch's count, read once before sdcond sets any
    private static boolean sampled; // a reading was taken (lastSample is null where it failed)
    private static CpuSample lastSample;
    private static long lastNanos;

    private CpuThreads() {}

    /** Takes the first reading of the CPU counters if none was taken yet (towers call it when they are set up). */
    public static void watch() {
        synchronized (CpuThreads.class) {
            if (!sampled) {
                sample();
            }
        }
    }

    /**
     * Turns the adaptation on or off for the passes that start afterwards (off: always libtorch's count).
     *
     * @param on whether passes adapt their thread count to the other processes' load
     */
    public static void setAdaptive(boolean on) {
        adaptive = on;
    }

    /**
     * The setting a process starts with: adaptive unless the system property {@code sdcond.adaptiveThreads} is
     * {@code false}.
     *
     * @return whether passes adapt by default
     */
    public static boolean adaptiveByDefault() {
        return !"false".equals(System.getProperty("sdcond.adaptiveThreads"));
    }

    /**
     * Whether passes adapt their thread count.
     *
     * @return whether passes adapt their thread count
     */
    public static boolean adaptive() {
        return adaptive;
    }

    /**
     * The most intra-op threads a pass uses: libtorch's count when sdcond first asked (its default, or the system
     * property {@code ai.djl.pytorch.num_threads} read when DJL's engine started).
     *
     * @return 1 or more
     */
    public static synchronized int maxThreads() {
        if (max == 0) {
            max = Math.max(1, JniUtils.getNumThreads());
        }
        return max;
    }

    /**
     * The intra-op threads the calling thread's last CPU pass ran with.
     *
     * @return the count, or 0 before any pass on this thread
     */
    public static int lastThreads() {
        return LAST.get()[0];
    }

    /**
     * Starts a forward pass: on the CPU, sets the calling thread's intra-op thread count; close it when the pass ends,
     * which sets the count back to what the calling thread had (a caller's own libtorch work is left as it was).
     *
     * @param device the pass's device (nothing is set for GPUs)
     * @return the pass, to close
     */
    public static Pass enter(Device device) {
        if (device.isGpu()) {
            return new Pass(false, 0, false, 0);
        }
        int passes = PASSES.incrementAndGet();
        int n;
        boolean held = false;
        synchronized (CpuThreads.class) {
            n = maxThreads();
            if (adaptive) {
                sample();
                CpuSample s = lastSample;
                int free = s == null ? max : threadsFor(others, s.cpus(), passes, max);
                n = HOLD.cap(System.nanoTime(), free);
                held = n < free;
            }
        }
        int before = JniUtils.getNumThreads();
        if (before != n) {
            JniUtils.setNumThreads(n);
        }
        LAST.get()[0] = n;
        return new Pass(true, n, held, before);
    }

    private static void sample() { // under the class lock
        long now = System.nanoTime();
        if (!CpuSample.available() || sampled && now - lastNanos < WINDOW_MS * 1_000_000L) {
            return;
        }
        CpuSample s = CpuSample.read();
        if (s != null && lastSample != null) {
            double o = s.othersSince(lastSample);
            if (!Double.isNaN(o)) {
                others = o;
            }
        }
        lastSample = s;
        lastNanos = now;
        sampled = true;
    }

    /**
     * The thread count for a pass: the cores left by other processes, shared between the passes running now.
     *
     * @param othersCores cores other processes kept busy
     * @param cpus the CPUs this process may run on
     * @param passes the passes running now, this one included
     * @param max libtorch's count
     * @return between 1 and {@code max}
     */
    static int threadsFor(double othersCores, int cpus, int passes, int max) {
        long share = Math.round((cpus - othersCores) / Math.max(1, passes));
        return (int) Math.max(1, Math.min(max, share));
    }

    /** A running forward pass; closing it ends the pass. */
    public static final class Pass implements AutoCloseable {
        private boolean counted;
        private final int threads;
        private final boolean held;
        private final long start;
        private final long waited; // the calling thread's run-queue time at the start, or -1
        private final int before; // the calling thread's count when the pass started

        private Pass(boolean counted, int threads, boolean held, int before) {
            this.counted = counted;
            this.before = before;
            this.threads = threads;
            this.held = held;
            this.waited = counted && threads >= 2 && adaptive && ContentionHold.available()
                    ? ContentionHold.waitedNanos() : -1;
            this.start = System.nanoTime();
        }

        @Override
        public void close() {
            if (!counted) {
                return;
            }
            counted = false;
            PASSES.decrementAndGet();
            if (before != threads && before > 0) {
                JniUtils.setNumThreads(before);
            }
            if (waited >= 0) {
                long now = System.nanoTime();
                long w = ContentionHold.waitedNanos();
                if (w >= 0 && now > start) {
                    synchronized (CpuThreads.class) {
                        HOLD.passEnded(now, threads, held, (double) (w - waited) / (now - start));
                    }
                }
            }
        }
    }
}
