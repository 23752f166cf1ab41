package dev.sdcond.models.kernels;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sdcond.models.runtime.CpuInfo;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Which of the kernels that agree with the plain product is fastest for a product shape on this machine: measured
 * once (a warm-up and {@value #ROUNDS} rounds that alternate the kernels, each kernel's median), then remembered in a
 * per-machine file, {@code kernel-timings.json} in the cache folder ({@link #folder}), under a key made of the CPU's
 * model and flags, libtorch's version, the kernel module's hash, the settings that limit oneDNN's, MKL's and ATen's
 * instruction sets ({@code ONEDNN_MAX_CPU_ISA}, ...) and the shape: any change of those measures again.
 * The thread count is not in the key, so that every process on a machine (a one-thread Spark task, a two-thread CLI)
 * makes the same choice and computes the same bits. The file is only a cache: unreadable or unwritable, it is
 * measured again in each process.
 */
final class KernelTimings {
    static final int ROUNDS = 5;
    private static final String FILE = "kernel-timings.json";
    private static final Map<String, Map<ProductKernel, Double>> MEMO = new ConcurrentHashMap<>();
    private static final ObjectMapper JSON = new ObjectMapper();
    private static ObjectNode file; // the cache file as this process last read or wrote it

    private KernelTimings() {}

    /**
     * The cache folder: {@code -Dsdcond.cacheDir}, else {@code $SDCOND_CACHE_DIR}, else {@code $XDG_CACHE_HOME/sdcond},
     * else {@code ~/.cache/sdcond}; {@code off} for none.
     *
     * @return the folder, or empty when caching is off
     */
    static Optional<Path> folder() {
        String dir = System.getProperty("sdcond.cacheDir", System.getenv("SDCOND_CACHE_DIR"));
        if (dir == null || dir.isBlank()) {
            String xdg = System.getenv("XDG_CACHE_HOME");
            Path base = xdg != null && !xdg.isBlank() ? Path.of(xdg) : Path.of(System.getProperty("user.home"), ".cache");
            return Optional.of(base.resolve("sdcond"));
        }
        return dir.equals("off") ? Optional.empty() : Optional.of(Path.of(dir));
    }

    /**
     * The median time of each kernel for a product shape, from the cache or measured now on this weight.
     *
     * @param weight [out, in] float32, as read
     * @param bias [out]
     * @param prepared the kernels to time (each agreed with the plain product), with the weight as each keeps it
     * @param tokens the row count timed: the tower's sequence length
     * @param post the activation fused into the product
     * @return milliseconds per product, per kernel
     */
    static Map<ProductKernel, Double> of(NDArray weight, NDArray bias, Map<ProductKernel, NDArray> prepared,
            int tokens, String post) {
        List<ProductKernel> kernels = List.copyOf(prepared.keySet());
        long[] s = weight.getShape().getShape();
        String key = machine() + " | " + s[0] + "x" + s[1] + "x" + tokens + " " + post + " " + kernels;
        return MEMO.computeIfAbsent(key, k -> read(k, kernels).orElseGet(() -> {
            Map<ProductKernel, Double> t = measure(weight, bias, prepared, tokens, post);
            write(k, t);
            return t;
        }));
    }

    /**
     * Where {@code auto}'s timings are kept and how many of them belong to this machine, libtorch and kernels.
     *
     * @return e.g. {@code /root/.cache/sdcond/kernel-timings.json: 8 product shapes timed here}, or why there are none
     */
    static String summary() {
        Optional<Path> dir = folder();
        if (dir.isEmpty()) {
            return "off (SDCOND_CACHE_DIR or -Dsdcond.cacheDir is 'off'): measured again in each process";
        }
        String machine = machine() + " | ";
        long here = 0;
        for (var it = entries().fieldNames(); it.hasNext();) {
            if (it.next().startsWith(machine)) {
                here++;
            }
        }
        return dir.get().resolve(FILE) + ": " + here + " product shape(s) timed for this machine"
                + (here == 0 ? " (a tower's first load with --linear auto times its shapes)" : "");
    }

    /** Forgets what this process measured and read, so that the cache file is read again (for tests). */
    static synchronized void forget() {
        MEMO.clear();
        file = null;
    }

    /** Settings that change which code oneDNN, MKL and ATen run, and so their speed. */
    private static final List<String> ISA_SETTINGS = List.of("ONEDNN_MAX_CPU_ISA", "DNNL_MAX_CPU_ISA",
            "ONEDNN_CPU_ISA_HINTS", "MKL_ENABLE_INSTRUCTIONS", "MKL_CBWR", "ATEN_CPU_CAPABILITY");

    /** What the timings depend on besides the shape. */
    static String machine() {
        StringBuilder settings = new StringBuilder();
        for (String v : ISA_SETTINGS) {
            if (System.getenv(v) != null) {
                settings.append(", ").append(v).append('=').append(System.getenv(v));
            }
        }
        return CpuInfo.current().model() + " " + CpuInfo.current().flags().hashCode() + ", libtorch "
                + ai.djl.pytorch.jni.LibUtils.getVersion() + ", kernels " + TorchScriptKernels.moduleHash() + settings;
    }

    private static Map<ProductKernel, Double> measure(NDArray weight, NDArray bias,
            Map<ProductKernel, NDArray> prepared, int tokens, String post) {
        Map<ProductKernel, double[]> times = new EnumMap<>(ProductKernel.class);
        prepared.keySet().forEach(k -> times.put(k, new double[ROUNDS]));
        try (NDManager scratch = weight.getManager().newSubManager()) {
            NDArray x = scratch.randomNormal(new Shape(tokens, weight.getShape().get(1)));
            for (int round = -1; round < ROUNDS; round++) { // round -1 warms up
                for (ProductKernel k : prepared.keySet()) {
                    long t0 = System.nanoTime();
                    try (NDArray y = TorchScriptKernels.linear(x, prepared.get(k), bias, k.linear(), tokens, post)) {
                        y.getShape(); // the product has run: libtorch's CPU ops are synchronous
                    }
                    if (round >= 0) {
                        times.get(k)[round] = (System.nanoTime() - t0) / 1e6;
                    }
                }
            }
        }
        Map<ProductKernel, Double> medians = new EnumMap<>(ProductKernel.class);
        times.forEach((k, t) -> {
            Arrays.sort(t);
            medians.put(k, t[t.length / 2]);
        });
        return medians;
    }

    /** The cache file's entries, read once per process (empty when absent, unreadable or damaged). */
    private static synchronized ObjectNode entries() {
        if (file == null) {
            file = JSON.createObjectNode();
            Optional<Path> path = folder().map(d -> d.resolve(FILE));
            if (path.isPresent() && Files.isRegularFile(path.get())) {
                try {
                    if (JSON.readTree(path.get().toFile()) instanceof ObjectNode read) {
                        file = read;
                    }
                } catch (IOException | RuntimeException e) {
                    // damaged: measured again, and replaced
                }
            }
        }
        return file;
    }

    private static synchronized Optional<Map<ProductKernel, Double>> read(String key, List<ProductKernel> kernels) {
        try {
            var entry = entries().get(key);
            if (entry == null) {
                return Optional.empty();
            }
            Map<ProductKernel, Double> t = new EnumMap<>(ProductKernel.class);
            for (ProductKernel k : kernels) {
                if (entry.get(k.label()) == null || !entry.get(k.label()).isNumber()) {
                    return Optional.empty();
                }
                t.put(k, entry.get(k.label()).asDouble());
            }
            return Optional.of(t);
        } catch (RuntimeException e) {
            return Optional.empty(); // a damaged entry is measured again, and replaced
        }
    }

    private static synchronized void write(String key, Map<ProductKernel, Double> times) {
        Optional<Path> dir = folder();
        if (dir.isEmpty()) {
            return;
        }
        Path target = dir.get().resolve(FILE);
        try {
            Files.createDirectories(dir.get());
            ObjectNode all = entries();
            if (Files.isRegularFile(target)) { // what other processes wrote since this one read it
                try {
                    if (JSON.readTree(target.toFile()) instanceof ObjectNode now) {
                        now.fields().forEachRemaining(e -> all.putIfAbsent(e.getKey(), e.getValue()));
                    }
                } catch (IOException e) {
                    // damaged: replaced below
                }
            }
            ObjectNode entry = all.putObject(key);
            times.forEach((k, ms) -> entry.put(k.label(), ms));
            Path tmp = Files.createTempFile(dir.get(), FILE, ".tmp");
            try {
                JSON.writerWithDefaultPrettyPrinter().writeValue(tmp.toFile(), all);
                Files.move(tmp, target, java.nio.file.StandardCopyOption.REPLACE_EXISTING,
                        java.nio.file.StandardCopyOption.ATOMIC_MOVE);
            } finally {
                Files.deleteIfExists(tmp);
            }
        } catch (IOException | RuntimeException e) {
            // a cache only: the next process measures again
        }
    }
}
