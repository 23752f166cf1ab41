package dev.sdcond.cli;

import java.util.ArrayList;
import java.util.List;

/** {@code bench --busy N}: N threads that keep a core busy each until closed, as another CPU-bound process would. */
final class BusyThreads implements AutoCloseable {
    private final List<Thread> threads = new ArrayList<>();
    private volatile boolean running = true;
    private volatile long sink;

    BusyThreads(int n) {
        for (int i = 0; i < n; i++) {
            Thread t = new Thread(this::spin, "bench-busy-" + i);
            t.setDaemon(true);
            t.start();
            threads.add(t);
        }
    }

    private void spin() {
        long x = 0;
        while (running) {
            for (int i = 0; i < 1_000_000; i++) {
                x = x * 6364136223846793005L + 1442695040888963407L;
            }
            sink = x;
        }
    }

    @Override
    public void close() throws InterruptedException {
        running = false;
        for (Thread t : threads) {
            t.join();
        }
    }
}
