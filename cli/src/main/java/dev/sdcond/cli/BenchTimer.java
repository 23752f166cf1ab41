package dev.sdcond.cli;

import java.util.function.Supplier;

/** The wall-clock timing of {@code bench}: warm-up, then runs of the forward pass and its GEMM floor. */
final class BenchTimer {
    private BenchTimer() {}

    /**
     * Times the forward pass and the GEMM floor. On a CPU they alternate run by run, so that both see the same
     * machine (a small shared machine drifts by tens of percent); on a GPU, where alternating them was seen to slow
     * the forward pass down (the floor's allocations disturb the caching allocator's pools), all forward runs come
     * first.
     *
     * @return {forward times, floor times} in ms; the second is empty without a floor
     */
    static double[][] time(Supplier<Integer> forward, Supplier<Integer> floor, boolean interleave, int warmup, int runs) {
        boolean alternate = floor != null && interleave;
        for (int i = 0; i < warmup; i++) {
            forward.get();
            if (alternate) {
                floor.get();
            }
        }
        int n = Math.max(1, runs);
        double[] f = new double[n];
        double[] g = new double[floor == null ? 0 : n];
        for (int i = 0; i < n; i++) {
            f[i] = millis(forward);
            if (alternate) {
                g[i] = millis(floor);
            }
        }
        if (floor != null && !interleave) {
            for (int w = 0; w < warmup; w++) {
                floor.get();
            }
            for (int i = 0; i < n; i++) {
                g[i] = millis(floor);
            }
        }
        return new double[][] {f, g};
    }

    private static double millis(Supplier<Integer> work) {
        long s = System.nanoTime();
        work.get();
        return (System.nanoTime() - s) / 1e6;
    }
}
