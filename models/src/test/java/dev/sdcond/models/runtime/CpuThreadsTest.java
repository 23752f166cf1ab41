package dev.sdcond.models.runtime;

import dev.sdcond.models.Towers;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.pytorch.jni.JniUtils;
import java.util.BitSet;
import org.junit.jupiter.api.Test;

/** The CPU threads of a pass: the other processes' load read from /proc, and the count it leaves (README, Performance). */
class CpuThreadsTest {
    // /proc/self/stat of a process whose name holds ") (": utime (field 14), stime (15), nice (19) as given
    private static String selfStat(long utime, long stime, int nice) {
        return "4242 (java) (x)) S 1 4242 4242 0 -1 4194304 98 0 0 0 " + utime + " " + stime + " 0 0 20 " + nice
                + " 30 0 3861621 3133440 394";
    }

    private static final String STAT_A = """
            cpu  3000 50 500 9000 10 1 9 5 0 0
            cpu0 1000 50 200 5000 10 0 5 3 0 0
            cpu1 2000 0 300 4000 0 1 4 2 0 0
            cpu2 7000 0 0 0 0 0 0 0 0 0
            intr 12345 1 2 3
            """;
    // one second later at 100 ticks/s: cpu0 user +60, system +10, idle +10, nice +20; cpu1 user +40, system +5,
    // idle +50, steal +5; cpu2 (not ours) fully busy
    private static final String STAT_B = """
            cpu  3100 70 515 9060 10 1 9 10 0 0
            cpu0 1060 70 210 5010 10 0 5 3 0 0
            cpu1 2040 0 305 4050 0 1 4 7 0 0
            cpu2 7100 0 0 0 0 0 0 0 0 0
            intr 12399 1 2 3
            """;

    @Test
    void aPassLeavesTheCallersThreadCountAsItFoundIt() {
        Engine.getEngine("PyTorch");
        int max = CpuThreads.maxThreads();
        int mine = max + 3; // a count no pass takes (a pass runs at most max)
        JniUtils.setNumThreads(mine);
        try {
            try (CpuThreads.Pass pass = CpuThreads.enter(Device.cpu())) {
                assertTrue(JniUtils.getNumThreads() <= max, "the pass runs at most " + max);
            }
            assertEquals(mine, JniUtils.getNumThreads());
        } finally {
            JniUtils.setNumThreads(max);
        }
    }

    @Test
    void othersAreTheBusyTicksOfOurCpusLessOurOwn() {
        BitSet ours = CpuSample.allowedCpus("Name:\tjava\nCpus_allowed_list:\t0-1\nMems_allowed:\t1\n");
        CpuSample a = CpuSample.parse(STAT_A, selfStat(500, 100, 0), ours);
        CpuSample b = CpuSample.parse(STAT_B, selfStat(530, 105, 0), ours);
        assertEquals(2, b.cpus());
        // 200 ticks in all; busy: 60 + 10 + 40 + 5 = 115 (the niced 20 yield to us); ours 30 + 5 = 35
        // others: (115 - 35) / 200 of 2 CPUs = 0.8 cores
        assertEquals(0.8, b.othersSince(a), 1e-12);
        // a niced process of our own counts niced time: (135 - 35) / 200 * 2 = 1.0
        CpuSample an = CpuSample.parse(STAT_A, selfStat(500, 100, 10), ours);
        CpuSample bn = CpuSample.parse(STAT_B, selfStat(530, 105, 10), ours);
        assertEquals(1.0, bn.othersSince(an), 1e-12);
        // every CPU: cpu2's 100 busy ticks join in, 300 ticks in all: (215 - 35) / 300 * 3 = 1.8
        assertEquals(1.8, CpuSample.parse(STAT_B, selfStat(530, 105, 0), null)
                .othersSince(CpuSample.parse(STAT_A, selfStat(500, 100, 0), null)), 1e-12);
        assertTrue(Double.isNaN(a.othersSince(a)), "no time passed");
    }

    @Test
    void allowedCpuLists() {
        BitSet s = CpuSample.allowedCpus("Cpus_allowed:\tff\nCpus_allowed_list:\t0-3,8,10-11\n");
        assertEquals("{0, 1, 2, 3, 8, 10, 11}", s.toString());
        assertNull(CpuSample.allowedCpus("Name:\tjava\n"));
    }

    @Test
    void threadsAreTheCoresLeftSharedByThePasses() {
        assertEquals(2, CpuThreads.threadsFor(0.0, 2, 1, 2)); // quiet
        assertEquals(2, CpuThreads.threadsFor(0.4, 2, 1, 2)); // 1.6 cores left
        assertEquals(1, CpuThreads.threadsFor(0.6, 2, 1, 2)); // 1.4 left
        assertEquals(1, CpuThreads.threadsFor(1.0, 2, 1, 2)); // one busy process
        assertEquals(1, CpuThreads.threadsFor(2.0, 2, 1, 2)); // never fewer than 1
        assertEquals(1, CpuThreads.threadsFor(0.0, 2, 2, 2)); // two passes at once share the 2 cores
        assertEquals(8, CpuThreads.threadsFor(0.0, 16, 1, 8)); // never more than libtorch's count
        assertEquals(5, CpuThreads.threadsFor(0.0, 16, 3, 16)); // 16 / 3
        assertEquals(5, CpuThreads.threadsFor(6.0, 16, 2, 16)); // 10 cores left, two passes
    }

    @Test
    void aPassSetsItsThreadCountAndTheFixedCountIsLibtorchs() {
        Engine.getEngine(Towers.ENGINE);
        boolean was = CpuThreads.adaptive();
        try {
            CpuThreads.setAdaptive(true);
            try (CpuThreads.Pass p = CpuThreads.enter(Device.cpu())) {
                int n = CpuThreads.lastThreads();
                assertTrue(n >= 1, "threads " + n);
                assertEquals(n, JniUtils.getNumThreads());
            }
            CpuThreads.setAdaptive(false);
            try (CpuThreads.Pass p = CpuThreads.enter(Device.cpu())) {
                int max = CpuThreads.lastThreads();
                assertEquals(max, JniUtils.getNumThreads());
                assertTrue(max >= 1);
            }
        } finally {
            CpuThreads.setAdaptive(was);
        }
    }
}
