package dev.sdcond.cli;

import ai.djl.engine.Engine;
import dev.sdcond.models.Compute;
import dev.sdcond.models.Precision;
import picocli.CommandLine.Option;

/** --device, the kernels (--dtype, --attention, --linear), --threads. */
final class ComputeOptions {
    @Option(names = "--device", defaultValue = "cpu", converter = Converters.DeviceConverter.class,
            description = "cpu, gpu or gpu:N (default: ${DEFAULT-VALUE})")
    String device;

    @picocli.CommandLine.Mixin
    KernelOptions kernels = new KernelOptions();

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
        Compute c = new Compute(Compute.parseDevice(device), kernels.dtype, kernels.attention, kernels.linear);
        String caveat = dev.sdcond.models.runtime.CpuInfo.current().bfloat16Caveat();
        if (err != null && kernels.dtype == Precision.BFLOAT16 && !c.device().isGpu() && caveat != null) {
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
        dev.sdcond.models.runtime.CpuThreads.setAdaptive(!fixedThreads && dev.sdcond.models.runtime.CpuThreads.adaptiveByDefault());
        Engine.getEngine(dev.sdcond.models.Towers.ENGINE);
    }
}
