package dev.sdcond.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/** How {@code bench} reports: a table (or JSON) with the CPU, the thread settings, and memory from /proc. */
final class BenchReport {
    private BenchReport() {}

    static long procStatus(String field) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith(field + ":")) {
                    return Long.parseLong(line.replaceAll("[^0-9]", ""));
                }
            }
        } catch (IOException | NumberFormatException ignored) {
            // not Linux: no memory figures
        }
        return -1;
    }

    static void print(java.io.PrintWriter out, ObjectNode root, ObjectMapper om, boolean json, String model)
            throws IOException {
        if (json) {
            out.println(om.writerWithDefaultPrettyPrinter().writeValueAsString(root));
            return;
        }
        out.printf(Locale.ROOT, "%s %s on %s %s (attention %s, linear %s): loaded in %.0f ms%n",
                root.get("what").asText(), model, root.get("device").asText(), root.get("dtype").asText(),
                root.get("attention").asText(), root.get("linear").asText(), root.get("load_ms").asDouble());
        out.printf(Locale.ROOT, "CPU: %s; %d intra-op%s / %d inter-op threads; OMP_WAIT_POLICY %s%s%n",
                root.get("cpu").asText(), root.get("intra_op_threads").asInt(),
                root.get("adaptive_threads").asBoolean() ? " (at most, fewer beside busy processes)" : "",
                root.get("inter_op_threads").asInt(),
                root.get("omp_wait_policy").asText(), root.get("busy_processes").asInt() == 0 ? ""
                        : "; " + root.get("busy_processes").asInt() + " busy process(es) beside it");
        for (var k : root.get("kernels")) {
            out.printf(Locale.ROOT, "kernels, encoder %d: %s (checked in %.0f ms%s)%n", k.get("encoder").asInt(),
                    k.get("kernels").asText(), k.get("check_ms").asDouble(), k.get("timing_ms").asDouble() == 0 ? ""
                            : String.format(Locale.ROOT, ", timed in %.0f ms", k.get("timing_ms").asDouble()));
        }
        out.printf("%4s %6s %12s %12s %12s %10s %10s %14s %12s %10s %8s%n", "enc", "batch", "median ms", "min ms",
                "ms/item", "GFLOP", "GFLOP/s", "GEMM floor ms", "floor GF/s", "GEMM share", "threads");
        for (var r : root.get("results")) {
            double gflop = r.get("gflops").asDouble();
            boolean floor = r.has("gemm_floor_ms");
            String threads = !r.has("threads_min") ? "-" : r.get("threads_min").asInt() == r.get("threads_max").asInt()
                    ? r.get("threads_min").asText() : r.get("threads_min").asInt() + "-" + r.get("threads_max").asInt();
            out.printf(Locale.ROOT, "%4d %6d %12.2f %12.2f %12.2f %10.1f %10.1f %14s %12s %10s %8s%n",
                    r.get("encoder").asInt(),
                    r.get("batch").asInt(),
                    r.get("median_ms").asDouble(), r.get("min_ms").asDouble(), r.get("median_ms_per_item").asDouble(),
                    gflop, gflop / (r.get("median_ms").asDouble() / 1000),
                    floor ? String.format(Locale.ROOT, "%.2f", r.get("gemm_floor_ms").asDouble()) : "-",
                    floor ? String.format(Locale.ROOT, "%.1f", gflop / (r.get("gemm_floor_ms").asDouble() / 1000)) : "-",
                    r.has("gemm_share") ? String.format(Locale.ROOT, "%.0f%%", 100 * r.get("gemm_share").asDouble()) : "-",
                    threads);
        }
        out.printf(Locale.ROOT, "peak RSS %.0f MB%n", root.get("peak_rss_mb").asDouble());
    }
}
