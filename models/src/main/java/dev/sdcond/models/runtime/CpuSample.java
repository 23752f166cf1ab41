package dev.sdcond.models.runtime;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.BitSet;

/**
 * One reading of Linux's CPU time counters (clock ticks since boot) for the CPUs this process may run on, and of this
 * process's own CPU time: two readings tell how many cores other processes kept busy in between.
 *
 * @param busy ticks the allowed CPUs spent running anything (user, system, interrupts; niced time only when this
 *     process is itself niced: a niced process yields to us, so its time is not taken from us)
 * @param total ticks the allowed CPUs spent in every state (busy, niced, idle, waiting for I/O, stolen by the
 *     hypervisor): the wall time times the number of CPUs
 * @param own ticks this process's threads ran (user and system)
 * @param cpus how many CPUs were counted
 */
record CpuSample(long busy, long total, long own, int cpus) {
    private static final Path STAT = Path.of("/proc/stat");
    private static final Path SELF_STAT = Path.of("/proc/self/stat");
    private static final Path SELF_STATUS = Path.of("/proc/self/status");
    private static final boolean AVAILABLE = Files.isReadable(STAT);

    /**
     * Whether this machine has the counters (Linux).
     *
     * @return whether {@link #read} can work here
     */
    static boolean available() {
        return AVAILABLE;
    }

    /**
     * Reads this machine's counters.
     *
     * @return the reading, or null where {@code /proc} cannot be read (not Linux)
     */
    static CpuSample read() {
        try {
            String status = Files.readString(SELF_STATUS);
            return parse(Files.readString(STAT), Files.readString(SELF_STAT), allowedCpus(status));
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    /**
     * Cores other processes kept busy, on average, between an earlier reading and this one.
     *
     * @param earlier the earlier reading
     * @return cores (0 to {@link #cpus}), or NaN when no time passed
     */
    double othersSince(CpuSample earlier) {
        long ticks = total - earlier.total;
        if (ticks <= 0 || cpus != earlier.cpus) {
            return Double.NaN;
        }
        double others = (busy - earlier.busy) - (own - earlier.own);
        return Math.min(cpus, Math.max(0, others) * cpus / ticks);
    }

    /**
     * Parses the texts of {@code /proc/stat} and {@code /proc/self/stat}.
     *
     * @param procStat {@code /proc/stat}
     * @param selfStat {@code /proc/self/stat}
     * @param allowed the CPUs to count (null: all)
     * @return the reading
     * @throws IllegalArgumentException where a text is not as Linux writes it
     */
    static CpuSample parse(String procStat, String selfStat, BitSet allowed) {
        // /proc/self/stat: "pid (comm) state ...": fields after the last ')' start at field 3; utime is field 14,
        // stime 15, nice 19 (proc(5))
        String[] f = selfStat.substring(selfStat.lastIndexOf(')') + 2).strip().split(" +");
        long own = Long.parseLong(f[11]) + Long.parseLong(f[12]);
        boolean niced = Long.parseLong(f[16]) > 0;
        long busy = 0;
        long total = 0;
        int cpus = 0;
        for (String line : procStat.split("\n")) {
            if (!line.startsWith("cpu") || line.length() < 4 || !Character.isDigit(line.charAt(3))) {
                continue;
            }
            String[] c = line.split(" +");
            int cpu = Integer.parseInt(c[0].substring(3));
            if (allowed != null && !allowed.get(cpu)) {
                continue;
            }
            // user nice system idle iowait irq softirq steal (guest time is already inside user)
            long[] v = new long[8];
            for (int i = 0; i < 8 && i + 1 < c.length; i++) {
                v[i] = Long.parseLong(c[i + 1]);
            }
            busy += v[0] + v[2] + v[5] + v[6] + (niced ? v[1] : 0);
            total += v[0] + v[1] + v[2] + v[3] + v[4] + v[5] + v[6] + v[7];
            cpus++;
        }
        if (cpus == 0) {
            throw new IllegalArgumentException("no CPU lines in /proc/stat");
        }
        return new CpuSample(busy, total, own, cpus);
    }

    /**
     * The CPUs named by {@code Cpus_allowed_list} in {@code /proc/self/status} ("0-3,8,10-11").
     *
     * @param status the text of {@code /proc/self/status}
     * @return the CPUs, or null when the line is missing (count them all)
     */
    static BitSet allowedCpus(String status) {
        for (String line : status.split("\n")) {
            if (line.startsWith("Cpus_allowed_list:")) {
                BitSet set = new BitSet();
                for (String part : line.substring(line.indexOf(':') + 1).strip().split(",")) {
                    int dash = part.indexOf('-');
                    int from = Integer.parseInt(dash < 0 ? part : part.substring(0, dash));
                    int to = dash < 0 ? from : Integer.parseInt(part.substring(dash + 1));
                    set.set(from, to + 1);
                }
                return set;
            }
        }
        return null;
    }
}
