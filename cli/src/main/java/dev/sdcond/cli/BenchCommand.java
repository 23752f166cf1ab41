package dev.sdcond.cli;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sdcond.conditioning.LoadedTextModel;
import dev.sdcond.conditioning.TextModels;
import dev.sdcond.ipadapter.LoadedVisionModel;
import dev.sdcond.ipadapter.VisionModels;
import dev.sdcond.models.Compute;
import dev.sdcond.models.Precision;
import dev.sdcond.models.Towers;
import dev.sdcond.models.clip.ClipOutput;
import dev.sdcond.models.clip.ClipTextModel;
import dev.sdcond.models.clip.ClipVisionModel;
import dev.sdcond.models.clip.OutputRequest;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.function.Supplier;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(name = "bench", mixinStandardHelpOptions = true,
        description = "Measure model load time and forward-pass speed (the one way sdcond is measured).",
        footer = {"", "Examples:", "  sdcond bench --model builtin:sd15-random --what text --batch 1,8",
            "  sdcond bench --model builtin:vit-h-random --what image --batch 1 --runs 3",
            "  sdcond bench --model builtin:sd15-random --dtype bfloat16 --batch 1,8",
            "  sdcond bench --model builtin:sd15-random --device gpu --dtype float16 --batch 1,128 --json",
            "", "Per batch: median and min wall time of a forward pass, including the copy of",
            "its outputs to the host, per item, and the GEMM floor: the time libtorch takes",
            "for the forward pass's matrix products alone on the same shapes. The GEMM share",
            "is the median, run by run, of floor / forward: the share of libtorch's matrix",
            "throughput the whole forward pass reaches. On a CPU the two are timed in turn,",
            "run by run; on a GPU the floor runs after the forward runs."})
final class BenchCommand implements Callable<Integer> {
    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Option(names = {"-m", "--model"}, required = true, description = "a model folder or builtin:NAME")
    String model;

    /** Which tower to time. */
    enum What { TEXT, IMAGE }

    @Option(names = "--what", defaultValue = "text", description = "text or image (default: text)")
    What what;

    @Option(names = "--batch", defaultValue = "1", split = ",", converter = Converters.Positive.class,
            description = "batch sizes (default: ${DEFAULT-VALUE})")
    List<Integer> batches;

    @Option(names = "--warmup", defaultValue = "2", converter = Converters.NonNegative.class,
            description = "untimed runs per batch (default: ${DEFAULT-VALUE})")
    int warmup;

    @Option(names = "--runs", defaultValue = "10", converter = Converters.Positive.class,
            description = "timed runs per batch (default: ${DEFAULT-VALUE})")
    int runs;

    @Option(names = "--lora", paramLabel = "FILE[:STRENGTH]", converter = Converters.LoraConverter.class,
            description = "text: merge LoRAs at load (the load time includes the merge); repeatable")
    List<dev.sdcond.models.lora.LoraSpec> loras = new ArrayList<>();

    @Option(names = "--no-gemm-floor", description = "skip measuring the GEMM floor")
    boolean noGemm;

    @Option(names = "--json", description = "print JSON")
    boolean json;

    @Option(names = "--profile", paramLabel = "PREFIX",
            description = "after timing, profile one more forward pass per batch with libtorch's profiler and write"
                    + " its trace (chrome://tracing JSON) to PREFIX-e<encoder>-b<batch>.json")
    Path profile;

    @Mixin
    ComputeOptions computeOptions;

    @Override
    public Integer call() throws IOException {
        Compute compute = computeOptions.compute(spec.commandLine().getErr());
        boolean text = what == What.TEXT;
        long t0 = System.nanoTime();
        AutoCloseable loaded;
        List<ClipTextModel> textTowers = new ArrayList<>();
        ClipVisionModel visionTower = null;
        if (text) {
            LoadedTextModel m = TextModels.open(List.of(model), java.util.Optional.empty(), compute, loras);
            loaded = m;
            m.conditioner().encoders().forEach(e -> textTowers.add(e.tower()));
        } else {
            LoadedVisionModel m = VisionModels.open(model, compute);
            loaded = m;
            visionTower = m.tower();
        }
        double loadMs = (System.nanoTime() - t0) / 1e6;
        ObjectMapper om = new ObjectMapper();
        ObjectNode root = om.createObjectNode();
        root.put("model", model);
        root.put("what", text ? "text" : "image");
        root.put("device", compute.device().toString());
        root.put("dtype", compute.precision().toString());
        root.put("load_ms", loadMs);
        root.put("cpu_threads_available", Runtime.getRuntime().availableProcessors());
        root.put("cpu", dev.sdcond.models.CpuInfo.current().summary());
        root.put("intra_op_threads", ai.djl.pytorch.jni.JniUtils.getNumThreads());
        root.put("inter_op_threads", ai.djl.pytorch.jni.JniUtils.getNumInteropThreads());
        String wait = System.getenv("OMP_WAIT_POLICY");
        root.put("omp_wait_policy", wait == null ? "unset (OpenMP's default: threads spin while they wait)" : wait);
        ArrayNode results = root.putArray("results");
        try (loaded; NDManager manager = NDManager.newBaseManager(compute.device(), Towers.ENGINE)) {
            int towers = text ? textTowers.size() : 1;
            for (int e = 0; e < towers; e++) {
                for (int b : batches) {
                    ObjectNode r = results.addObject();
                    r.put("batch", b);
                    r.put("encoder", e);
                    Supplier<Integer> forward;
                    Shapes shapes;
                    if (text) {
                        ClipTextModel tower = textTowers.get(e);
                        long[][] ids = new long[b][77];
                        for (long[] row : ids) {
                            Arrays.fill(row, 49407);
                            row[0] = 49406;
                            for (int i = 1; i < 20; i++) {
                                row[i] = 320 + i;
                            }
                        }
                        forward = () -> {
                            try (NDManager m = manager.newSubManager()) {
                                ClipOutput o = tower.forward(m, ids, OutputRequest.pooledOnly());
                                return toHost(o.lastHiddenState()) + toHost(o.pooled());
                            }
                        };
                        shapes = new Shapes(b, 77, tower.width(), tower.config().intermediateSize(),
                                tower.config().numAttentionHeads(), tower.numLayers(), 0);
                    } else {
                        ClipVisionModel tower = visionTower;
                        int s = tower.config().imageSize();
                        NDArray px = manager.randomNormal(new Shape(b, 3, s, s));
                        forward = () -> {
                            try (NDManager m = manager.newSubManager()) {
                                ClipOutput o = tower.forward(m, px, OutputRequest.hiddenStates(-2).withPooled());
                                return toHost(o.hiddenState(-2)) + toHost(o.projected());
                            }
                        };
                        shapes = new Shapes(b, tower.config().numPositions(), tower.width(),
                                tower.config().intermediateSize(), tower.config().numAttentionHeads(), tower.numLayers(),
                                tower.config().patchSize());
                    }
                    r.put("gflops", shapes.flops() / 1e9);
                    try (NDManager g = manager.newSubManager()) {
                        Supplier<Integer> gemm = noGemm ? null : gemmProducts(g, shapes, compute.precision());
                        double[][] t = time(forward, gemm, !compute.device().isGpu());
                        if (profile != null) {
                            Path trace = Path.of(profile + "-e" + e + "-b" + b + ".json");
                            ai.djl.pytorch.jni.JniUtils.startProfile(compute.device().isGpu(), true, false);
                            forward.get();
                            ai.djl.pytorch.jni.JniUtils.stopProfile(trace.toString());
                            r.put("profile", trace.toString());
                        }
                        double[] sorted = t[0].clone();
                        Arrays.sort(sorted);
                        double median = sorted[sorted.length / 2];
                        r.put("median_ms", median);
                        r.put("min_ms", sorted[0]);
                        r.put("median_ms_per_item", median / b);
                        if (gemm != null) {
                            double[] floor = t[1].clone();
                            Arrays.sort(floor);
                            double[] share = new double[floor.length];
                            for (int i = 0; i < share.length; i++) {
                                share[i] = t[1][i] / t[0][i];
                            }
                            Arrays.sort(share);
                            r.put("gemm_floor_ms", floor[0]);
                            r.put("gemm_share", share[share.length / 2]);
                        }
                    }
                }
            }
            if (compute.device().isGpu()) {
                java.lang.management.MemoryUsage gpu = ai.djl.util.cuda.CudaUtils.getGpuMemory(compute.device());
                root.put("gpu_memory_used_mb", gpu.getUsed() / 1048576.0); // the whole card's, after the runs
            }
            root.put("peak_rss_mb", procStatus("VmHWM") / 1024.0);
            root.put("rss_mb", procStatus("VmRSS") / 1024.0);
        } catch (Exception e) {
            if (e instanceof RuntimeException re) {
                throw re;
            }
            throw new IOException(e);
        }
        print(root, om);
        return ExitCodes.OK;
    }

    /**
     * Times the forward pass and the GEMM floor. On a CPU they alternate run by run, so that both see the same
     * machine (a small shared machine drifts by tens of percent); on a GPU, where alternating them was seen to slow
     * the forward pass down (the floor's allocations disturb the caching allocator's pools), all forward runs come
     * first.
     *
     * @return {forward times, floor times} in ms; the second is empty without a floor
     */
    private double[][] time(Supplier<Integer> forward, Supplier<Integer> floor, boolean interleave) {
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

    /**
     * The matrix products of one forward pass.
     *
     * @param patch vision: patch size (adds the patch embedding); 0 for text
     */
    record Shapes(int batch, int tokens, int width, int mlp, int heads, int layers, int patch) {
        double flops() {
            double bt = (double) batch * tokens;
            double perLayer = 2 * bt * width * 3.0 * width // qkv
                    + 2 * 2 * bt * tokens * width // scores and attention * v
                    + 2 * bt * width * width // out proj
                    + 2 * 2 * bt * width * mlp; // fc1, fc2
            double patchEmbed = patch == 0 ? 0 : 2.0 * batch * (tokens - 1) * 3 * patch * patch * width;
            return layers * perLayer + patchEmbed;
        }
    }

    /**
     * The forward pass's matrix products alone, on random inputs of the same shapes (allocated once in {@code m}).
     * Like the model's layers, the products cycle through distinct weight matrices (enough sets to exceed any CPU
     * cache), so that the floor streams weights from memory as the real forward pass does.
     */
    private static Supplier<Integer> gemmProducts(NDManager m, Shapes s, Precision precision) {
        long bt = (long) s.batch() * s.tokens();
        long d = s.width() / s.heads();
        long bh = (long) s.batch() * s.heads();
        long layerBytes = 4L * (4L * s.width() * s.width() + 2L * s.width() * s.mlp());
        int sets = (int) Math.max(1, Math.min(s.layers(), (512L << 20) / layerBytes + 1));
        NDArray x = random(m, new Shape(bt, s.width()), precision);
        NDArray h = random(m, new Shape(bt, s.mlp()), precision);
        NDArray q = random(m, new Shape(bh, s.tokens(), d), precision);
        NDArray kt = random(m, new Shape(bh, d, s.tokens()), precision);
        NDArray p = random(m, new Shape(bh, s.tokens(), s.tokens()), precision);
        NDArray[][] w = new NDArray[sets][];
        for (int i = 0; i < sets; i++) {
            w[i] = new NDArray[] {random(m, new Shape(3L * s.width(), s.width()), precision),
                random(m, new Shape(s.width(), s.width()), precision),
                random(m, new Shape(s.mlp(), s.width()), precision),
                random(m, new Shape(s.width(), s.mlp()), precision)};
        }
        return () -> {
            try (NDManager scratch = m.newSubManager()) {
                NDArray last = null;
                for (int l = 0; l < s.layers(); l++) {
                    NDArray[] lw = w[l % sets];
                    for (NDArray o : new NDArray[] {ai.djl.nn.core.Linear.linear(x, lw[0]).singletonOrThrow(),
                            q.matMul(kt), p.matMul(q), ai.djl.nn.core.Linear.linear(x, lw[1]).singletonOrThrow(),
                            ai.djl.nn.core.Linear.linear(x, lw[2]).singletonOrThrow()}) {
                        o.close();
                    }
                    last = ai.djl.nn.core.Linear.linear(h, lw[3]).singletonOrThrow();
                    last.attach(scratch);
                }
                return last.get(0).toType(DataType.FLOAT32, false).toFloatArray().length; // wait for the device
            }
        };
    }

    private static NDArray random(NDManager m, Shape shape, Precision precision) {
        try (NDArray a = m.randomNormal(shape)) {
            return precision.toProductType(a);
        }
    }

    /** Copies an output to the host as it is (no dtype conversion, as a caller writing it out would): bytes copied. */
    private static int toHost(NDArray a) {
        return a.toByteBuffer(true).remaining(); // direct: no second copy into the Java heap
    }

    private static long procStatus(String field) {
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

    private void print(ObjectNode root, ObjectMapper om) throws IOException {
        var out = spec.commandLine().getOut();
        if (json) {
            out.println(om.writerWithDefaultPrettyPrinter().writeValueAsString(root));
            return;
        }
        out.printf(Locale.ROOT, "%s %s on %s %s: loaded in %.0f ms%n", root.get("what").asText(), model,
                root.get("device").asText(), root.get("dtype").asText(), root.get("load_ms").asDouble());
        out.printf(Locale.ROOT, "CPU: %s; %d intra-op / %d inter-op threads; OMP_WAIT_POLICY %s%n",
                root.get("cpu").asText(), root.get("intra_op_threads").asInt(), root.get("inter_op_threads").asInt(),
                root.get("omp_wait_policy").asText());
        out.printf("%4s %6s %12s %12s %12s %10s %10s %14s %12s %10s%n", "enc", "batch", "median ms", "min ms", "ms/item",
                "GFLOP", "GFLOP/s", "GEMM floor ms", "floor GF/s", "GEMM share");
        for (var r : root.get("results")) {
            double gflop = r.get("gflops").asDouble();
            boolean floor = r.has("gemm_floor_ms");
            out.printf(Locale.ROOT, "%4d %6d %12.2f %12.2f %12.2f %10.1f %10.1f %14s %12s %10s%n", r.get("encoder").asInt(),
                    r.get("batch").asInt(),
                    r.get("median_ms").asDouble(), r.get("min_ms").asDouble(), r.get("median_ms_per_item").asDouble(),
                    gflop, gflop / (r.get("median_ms").asDouble() / 1000),
                    floor ? String.format(Locale.ROOT, "%.2f", r.get("gemm_floor_ms").asDouble()) : "-",
                    floor ? String.format(Locale.ROOT, "%.1f", gflop / (r.get("gemm_floor_ms").asDouble() / 1000)) : "-",
                    r.has("gemm_share") ? String.format(Locale.ROOT, "%.0f%%", 100 * r.get("gemm_share").asDouble()) : "-");
        }
        out.printf(Locale.ROOT, "peak RSS %.0f MB%n", root.get("peak_rss_mb").asDouble());
    }
}
