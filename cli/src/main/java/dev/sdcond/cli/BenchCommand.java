package dev.sdcond.cli;

import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sdcond.conditioning.LoadedTextModel;
import dev.sdcond.conditioning.TextModels;
import dev.sdcond.ipadapter.LoadedVisionModel;
import dev.sdcond.ipadapter.VisionModels;
import dev.sdcond.models.Compute;
import dev.sdcond.models.Towers;
import dev.sdcond.models.clip.ClipTextModel;
import dev.sdcond.models.clip.ClipVisionModel;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
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
            "run by run; on a GPU the floor runs after the forward runs. On a CPU a pass",
            "uses --threads (or libtorch's count) at most and fewer while other processes",
            "keep cores busy (unless --fixed-threads); the last column shows the counts the",
            "batch's passes ran with."})
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

    @Option(names = "--busy", defaultValue = "0", converter = Converters.NonNegative.class,
            description = "run this many other CPU-bound processes beside the measurement (to see how the thread"
                    + " and OpenMP settings hold up under load) (default: 0)")
    int busy;

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
        List<dev.sdcond.models.kernels.KernelReport> reports = new ArrayList<>();
        textTowers.forEach(t -> reports.add(t.kernelReport()));
        if (visionTower != null) {
            reports.add(visionTower.kernelReport());
        }
        ObjectNode root = header(om, compute, text, loadMs, reports);
        ArrayNode results = root.putArray("results");
        try (loaded; NDManager manager = NDManager.newBaseManager(compute.device(), Towers.ENGINE);
                BusyProcesses load = new BusyProcesses(busy)) {
            int towers = text ? textTowers.size() : 1;
            for (int e = 0; e < towers; e++) {
                for (int b : batches) {
                    ObjectNode r = results.addObject();
                    r.put("batch", b);
                    r.put("encoder", e);
                    BenchWorkload w = text ? BenchWorkload.text(manager, textTowers.get(e), b)
                            : BenchWorkload.vision(manager, visionTower, b);
                    measure(r, w, manager, compute, e, b);
                }
            }
            if (compute.device().isGpu()) {
                java.lang.management.MemoryUsage gpu = ai.djl.util.cuda.CudaUtils.getGpuMemory(compute.device());
                root.put("gpu_memory_used_mb", gpu.getUsed() / 1048576.0); // the whole card's, after the runs
            }
            root.put("peak_rss_mb", BenchReport.procStatus("VmHWM") / 1024.0);
            root.put("rss_mb", BenchReport.procStatus("VmRSS") / 1024.0);
        } catch (Exception e) {
            if (e instanceof RuntimeException re) {
                throw re;
            }
            throw new IOException(e);
        }
        BenchReport.print(spec.commandLine().getOut(), root, om, json, model);
        return ExitCodes.OK;
    }

    /** What was measured and on what: the model, compute choices, CPU, threads and the kernels each tower runs. */
    private ObjectNode header(ObjectMapper om, Compute compute, boolean text, double loadMs,
            List<dev.sdcond.models.kernels.KernelReport> reports) {
        ObjectNode root = om.createObjectNode();
        root.put("model", model);
        root.put("what", text ? "text" : "image");
        root.put("device", compute.device().toString());
        root.put("dtype", compute.precision().toString());
        root.put("attention", compute.attention().toString().toLowerCase(java.util.Locale.ROOT));
        root.put("linear", compute.linear().toString().toLowerCase(java.util.Locale.ROOT));
        root.put("load_ms", loadMs);
        root.put("cpu_threads_available", Runtime.getRuntime().availableProcessors());
        root.put("cpu", dev.sdcond.models.runtime.CpuInfo.current().summary());
        root.put("intra_op_threads", dev.sdcond.models.runtime.CpuThreads.maxThreads());
        root.put("inter_op_threads", ai.djl.pytorch.jni.JniUtils.getNumInteropThreads());
        String wait = System.getenv("OMP_WAIT_POLICY");
        String spin = System.getenv("GOMP_SPINCOUNT");
        root.put("omp_wait_policy", wait != null ? wait : spin != null ? "unset, GOMP_SPINCOUNT " + spin
                : "unset (OpenMP's default: threads spin while they wait)");
        root.put("busy_processes", busy);
        root.put("adaptive_threads", dev.sdcond.models.runtime.CpuThreads.adaptive());
        ArrayNode kernels = root.putArray("kernels");
        for (int e = 0; e < reports.size(); e++) {
            ObjectNode k = kernels.addObject();
            k.put("encoder", e);
            k.put("kernels", reports.get(e).summary());
            k.put("check_ms", reports.get(e).checkMillis());
            k.put("timing_ms", reports.get(e).timingMillis());
        }
        return root;
    }

    /** Times one tower at one batch size (and its GEMM floor), into {@code r}. */
    private void measure(ObjectNode r, BenchWorkload w, NDManager manager, Compute compute, int e, int b)
            throws IOException {
        Supplier<Integer> pass = w.forward();
        int[] used = {Integer.MAX_VALUE, 0}; // the fewest and most intra-op threads a pass ran with
        Supplier<Integer> forward = () -> {
            int v = pass.get();
            int n = dev.sdcond.models.runtime.CpuThreads.lastThreads();
            used[0] = Math.min(used[0], n);
            used[1] = Math.max(used[1], n);
            return v;
        };
        GemmFloor.Shapes shapes = w.shapes();
        r.put("gflops", shapes.flops() / 1e9);
        try (NDManager g = manager.newSubManager()) {
            Supplier<Integer> gemm = noGemm ? null : GemmFloor.gemmProducts(g, shapes, compute.precision());
            double[][] t = BenchTimer.time(forward, gemm, !compute.device().isGpu(), warmup, runs);
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
            if (!compute.device().isGpu()) {
                r.put("threads_min", used[0]);
                r.put("threads_max", used[1]);
            }
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
