package dev.sdcond.cli;

import ai.djl.engine.Engine;
import dev.sdcond.models.Compute;
import dev.sdcond.models.Precision;
import picocli.CommandLine.Option;

/** --device, --dtype, --threads. */
public final class ComputeOptions {
    @Option(names = "--device", defaultValue = "cpu", converter = Converters.DeviceConverter.class,
            description = "cpu, gpu or gpu:N (default: ${DEFAULT-VALUE})")
    String device;

    @Option(names = "--dtype", defaultValue = "float32", converter = Converters.PrecisionConverter.class,
            description = "float32, float16 or bfloat16 (float16 is meant for GPUs; bfloat16 for GPUs, for CPUs with"
                    + " AMX, where it was 1.6-2.6x faster than float32, and for AMD CPUs with AVX512-BF16, 1.3-1.4x"
                    + " faster on a Zen 5; slower on Intel CPUs without AMX) (default: ${DEFAULT-VALUE})")
    Precision dtype;

    @Option(names = "--attention", defaultValue = "fused",
            description = "attention kernel: fused (libtorch's scaled_dot_product_attention) or explicit"
                    + " (product, softmax, product) (default: ${DEFAULT-VALUE})")
    dev.sdcond.models.AttentionKernel attention;

    @Option(names = "--linear", defaultValue = "auto",
            description = "matrix products of the projections: auto (float32 on the CPU: per product shape, the"
                    + " fastest packed kernel on this machine, oneDNN for text towers and oneDNN or MKL for vision"
                    + " towers; libtorch's plain product elsewhere), plain, packed (oneDNN) or mkl. Every kernel is"
                    + " checked against plain while the tower loads; a shape where it disagrees runs plain, with a"
                    + " warning (default: ${DEFAULT-VALUE})")
    dev.sdcond.models.LinearKernel linear;

    @Option(names = "--threads", converter = Converters.Positive.class,
            description = "intra-op threads of libtorch, 1 or more: the most a forward pass uses, fewer while other"
                    + " processes keep cores busy (default: libtorch's choice)")
    Integer threads;

    @Option(names = "--fixed-threads",
            description = "run every forward pass with --threads (or libtorch's count), however busy the machine")
    boolean fixedThreads;

    @Option(names = "--interop-threads", converter = Converters.Positive.class,
            description = "inter-op threads of libtorch, 1 or more")
    Integer interopThreads;

    Compute compute() {
        return compute(null);
    }

    /** The compute choice; with {@code err}, a warning where bfloat16 would be emulated on this CPU. */
    Compute compute(java.io.PrintWriter err) {
        applyThreads();
        Compute c = new Compute(Compute.parseDevice(device), dtype, attention, linear);
        String caveat = dev.sdcond.models.CpuInfo.current().bfloat16Caveat();
        if (err != null && dtype == Precision.BFLOAT16 && !c.device().isGpu() && caveat != null) {
            err.println("warning: " + caveat + "; use --dtype float32");
        }
        return c;
    }

    void applyThreads() {
        if (threads != null) {
            System.setProperty("ai.djl.pytorch.num_threads", String.valueOf(threads));
        }
        if (interopThreads != null) {
            System.setProperty("ai.djl.pytorch.num_interop_threads", String.valueOf(interopThreads));
        }
        dev.sdcond.models.CpuThreads.setAdaptive(!fixedThreads && dev.sdcond.models.CpuThreads.adaptiveByDefault());
        Engine.getEngine(dev.sdcond.models.Towers.ENGINE);
    }
}
