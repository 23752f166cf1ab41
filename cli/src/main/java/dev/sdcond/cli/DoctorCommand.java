package dev.sdcond.cli;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.engine.StandardCapabilities;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.sdcond.models.runtime.CpuInfo;
import dev.sdcond.models.kernels.TorchScriptKernels;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * What sdcond runs on: the engine and libtorch (version, flavour, paths, JNI), GPUs, the CPU, threads, DJL's cache and
 * offline mode, sdcond's kernels; then a small computation on the device asked for. Exit 0 when it works; 2 with the
 * reason and the next step when it does not (a GPU asked for on a CPU libtorch, no CUDA device visible).
 */
@Command(name = "doctor", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Show what sdcond runs on and check that the device asked for works.")
final class DoctorCommand implements Callable<Integer> {
    @Option(names = "--device", defaultValue = "cpu", converter = Converters.DeviceConverter.class,
            description = "the device to check: cpu, gpu or gpu:N (default: ${DEFAULT-VALUE})")
    String device;

    @Option(names = "--json", description = "one JSON object instead of lines")
    boolean json;

    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws IOException {
        PrintWriter out = spec.commandLine().getOut();
        Map<String, Object> facts = new LinkedHashMap<>();
        machine(facts);
        String problem = null;
        String next = null;
        Engine engine;
        try {
            engine = Engine.getEngine(dev.sdcond.models.Towers.ENGINE);
        } catch (RuntimeException e) {
            facts.put("engine", "cannot start: " + e.getMessage());
            print(out, facts);
            spec.commandLine().getErr().println("sdcond doctor: DJL's PyTorch engine cannot start: " + e.getMessage()
                    + "; next: unset DJL_OFFLINE to let DJL fetch its libtorch, or see tools/gpu/README.md");
            return ExitCodes.BAD_INPUT;
        }
        boolean cudaBuild = engine(facts, engine);
        String libtorch = String.valueOf(facts.get("libtorch_path"));
        Device d = dev.sdcond.models.Compute.parseDevice(device);
        if (!TorchScriptKernels.available()) {
            problem = "sdcond's TorchScript kernels (kernels.pt) could not be loaded into this libtorch, and CLIP towers"
                    + " run their layers through them";
            next = "use a libtorch with TorchScript (DJL's pytorch-native builds have it; see tools/gpu/README.md)";
        } else if (d.isGpu() && !cudaBuild) {
            problem = "this libtorch is the CPU build (" + libtorch + ")";
            next = "run on a CUDA libtorch: tools/gpu/README.md (PYTORCH_LIBRARY_PATH with a matching JNI)";
        } else if (d.isGpu() && d.getDeviceId() >= engine.getGpuCount()) {
            problem = "libtorch is a CUDA build but sees " + engine.getGpuCount() + " GPU(s) (CUDA runtime "
                    + cudaRuntime() + ")";
            next = "check the driver (nvidia-smi) and CUDA_VISIBLE_DEVICES";
        } else {
            try (NDManager m = NDManager.newBaseManager(d, dev.sdcond.models.Towers.ENGINE)) {
                NDArray a = m.create(new float[] {1f, 2f}).add(m.create(new float[] {3f, 4f}));
                float[] r = a.toFloatArray();
                String kernels = KernelVerdicts.put(facts, dev.sdcond.models.kernels.KernelSurvey.run(d,
                        dev.sdcond.models.kernels.KernelSurvey.shapes()));
                facts.put("kernel_timings", dev.sdcond.models.kernels.KernelSurvey.timings());
                facts.put("check", d + ": " + (r[0] == 4f && r[1] == 6f ? "ok" : "wrong result") + kernels);
            } catch (RuntimeException e) {
                problem = "a computation on " + d + " failed: " + e.getMessage();
                next = "see tools/gpu/README.md";
            }
        }
        if (problem != null) {
            facts.put("check", d + ": not usable: " + problem);
        }
        print(out, facts);
        if (problem != null) {
            spec.commandLine().getErr().println("sdcond doctor: " + d + " is not usable: " + problem + "; next: " + next);
            return ExitCodes.BAD_INPUT;
        }
        return ExitCodes.OK;
    }

    private void print(PrintWriter out, Map<String, Object> facts) {
        if (json) {
            out.println(new com.fasterxml.jackson.databind.ObjectMapper().valueToTree(facts).toString());
        } else {
            facts.forEach((k, v) -> out.println(k + ": " + v));
        }
        out.flush();
    }

    /** The CUDA runtime's version (e.g. 128 for 12.8) as DJL finds it, or why it cannot. */
    private static String cudaRuntime() {
        try {
            return ai.djl.util.cuda.CudaUtils.getCudaVersionString();
        } catch (RuntimeException | LinkageError e) {
            return "not found (" + e.getMessage() + ")";
        }
    }

    /** The path of a loaded library whose name contains {@code name}, from /proc/self/maps (Linux). */
    private static String mapped(String name) {
        try (Stream<String> lines = Files.lines(Path.of("/proc/self/maps"))) {
            return lines.map(l -> l.substring(l.lastIndexOf(' ') + 1)).filter(p -> p.contains(name)).findFirst()
                    .orElse(null);
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    private static long mb(Path dir) {
        if (!Files.isDirectory(dir)) {
            return 0;
        }
        try (Stream<Path> files = Files.walk(dir)) {
            return files.filter(Files::isRegularFile).mapToLong(p -> p.toFile().length()).sum() / (1 << 20);
        } catch (IOException | java.io.UncheckedIOException e) {
            return -1;
        }
    }

    /** The machine and its settings: sdcond and Java versions, the CPU, the environment, DJL's cache. */
    private static void machine(Map<String, Object> facts) {
        facts.put("sdcond", Sdcond.class.getPackage().getImplementationVersion() == null ? "dev"
                : Sdcond.class.getPackage().getImplementationVersion());
        facts.put("java", System.getProperty("java.version") + " (" + System.getProperty("java.vendor") + ")");
        CpuInfo cpu = CpuInfo.current();
        facts.put("cpu", cpu.summary());
        facts.put("cores", Runtime.getRuntime().availableProcessors());
        facts.put("bfloat16_on_cpu", cpu.bfloat16Caveat() == null ? "native" : cpu.bfloat16Caveat());
        for (String v : new String[] {"OMP_WAIT_POLICY", "GOMP_SPINCOUNT", "OMP_NUM_THREADS", "DJL_OFFLINE",
            "DJL_CACHE_DIR", "PYTORCH_FLAVOR", "PYTORCH_VERSION", "PYTORCH_LIBRARY_PATH"}) {
            facts.put("env." + v, System.getenv(v) == null ? "(unset)" : System.getenv(v));
        }
        Path cache = ai.djl.util.Utils.getEngineCacheDir();
        facts.put("djl_cache", cache + " (" + mb(cache) + " MB)");
    }

    /** The engine: DJL and libtorch versions and paths, the build, GPUs, threads and kernels; true for CUDA builds. */
    private static boolean engine(Map<String, Object> facts, Engine engine) {
        facts.put("djl", Engine.getDjlVersion());
        facts.put("libtorch", ai.djl.pytorch.jni.LibUtils.getVersion());
        String libtorch = ai.djl.pytorch.jni.LibUtils.getLibtorchPath();
        facts.put("libtorch_path", libtorch);
        String jni = mapped("libdjl_torch");
        facts.put("jni", jni == null ? "(not found in this process's mappings)" : jni);
        boolean cudaBuild = mapped("libtorch_cuda") != null || engine.hasCapability(StandardCapabilities.CUDA);
        facts.put("flavour", cudaBuild ? "CUDA" : "CPU");
        facts.put("capabilities", Stream.of(StandardCapabilities.CUDA, StandardCapabilities.CUDNN,
                StandardCapabilities.MKL, StandardCapabilities.MKLDNN).filter(engine::hasCapability).toList());
        if (cudaBuild) {
            facts.put("cuda_runtime", cudaRuntime());
        }
        facts.put("gpus", engine.getGpuCount());
        for (int i = 0; i < engine.getGpuCount(); i++) {
            java.lang.management.MemoryUsage m = ai.djl.util.cuda.CudaUtils.getGpuMemory(Device.gpu(i));
            facts.put("gpu." + i, "compute capability " + ai.djl.util.cuda.CudaUtils.getComputeCapability(i) + ", "
                    + m.getMax() / (1 << 20) + " MB, " + (m.getMax() - m.getCommitted()) / (1 << 20) + " MB free");
        }
        facts.put("torch_threads", dev.sdcond.models.runtime.CpuThreads.maxThreads() + " intra-op, "
                + ai.djl.pytorch.jni.JniUtils.getNumInteropThreads() + " inter-op" + (dev.sdcond.models.runtime.CpuThreads
                        .adaptive() ? "; CPU passes use fewer intra-op threads while other processes keep cores busy"
                        : "; fixed"));
        facts.put("kernels", TorchScriptKernels.available() ? "loaded" + (TorchScriptKernels.packedLinearAvailable()
                ? ", oneDNN and MKL packed linear" : " (no packed linear)") : "not loaded");
        return cudaBuild;
    }
}
