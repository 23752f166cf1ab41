package dev.sdcond.cli;

import ai.djl.engine.Engine;
import dev.sdcond.models.Compute;
import picocli.CommandLine.Option;

/** --device, --dtype, --threads. */
public final class ComputeOptions {
    @Option(names = "--device", defaultValue = "cpu", description = "cpu, gpu or gpu:N (default: ${DEFAULT-VALUE})")
    String device;

    @Option(names = "--dtype", defaultValue = "float32",
            description = "float32, float16 or bfloat16 (float16 is meant for GPUs; bfloat16 for GPUs and for CPUs with"
                    + " AVX512-BF16/AMX, where it is about twice as fast as float32) (default: ${DEFAULT-VALUE})")
    String dtype;

    @Option(names = "--threads", description = "intra-op threads of libtorch (default: libtorch's choice)")
    Integer threads;

    @Option(names = "--interop-threads", description = "inter-op threads of libtorch")
    Integer interopThreads;

    Compute compute() {
        applyThreads();
        return Compute.parse(device, dtype);
    }

    void applyThreads() {
        if (threads != null) {
            System.setProperty("ai.djl.pytorch.num_threads", String.valueOf(threads));
        }
        if (interopThreads != null) {
            System.setProperty("ai.djl.pytorch.num_interop_threads", String.valueOf(interopThreads));
        }
        Engine.getEngine(dev.sdcond.models.Towers.ENGINE);
    }
}
