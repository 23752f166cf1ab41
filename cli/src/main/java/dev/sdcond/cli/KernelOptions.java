package dev.sdcond.cli;

import dev.sdcond.models.AttentionKernel;
import dev.sdcond.models.LinearKernel;
import dev.sdcond.models.Precision;
import picocli.CommandLine.Option;

/** --dtype, --attention, --linear: how the towers compute (the same words for encode-text and the Spark job). */
public final class KernelOptions {
    @Option(names = "--dtype", defaultValue = "float32", converter = Converters.PrecisionConverter.class,
            description = "float32, float16 or bfloat16 (float16 is meant for GPUs; bfloat16 for GPUs, for CPUs with"
                    + " AMX, where it was 1.6-2.6x faster than float32, and for AMD CPUs with AVX512-BF16, 1.3-1.4x"
                    + " faster on a Zen 5; slower on Intel CPUs without AMX) (default: ${DEFAULT-VALUE})")
    Precision dtype = Precision.FLOAT32;

    @Option(names = "--attention", defaultValue = "fused",
            description = "attention kernel: fused (libtorch's scaled_dot_product_attention) or explicit"
                    + " (product, softmax, product) (default: ${DEFAULT-VALUE})")
    AttentionKernel attention = AttentionKernel.FUSED;

    @Option(names = "--linear", defaultValue = "auto",
            description = "matrix products of the projections: auto (float32 on the CPU: per product shape, the"
                    + " fastest packed kernel on this machine, oneDNN for text towers and oneDNN or MKL for vision"
                    + " towers; libtorch's plain product elsewhere), plain, packed (oneDNN) or mkl. Every kernel is"
                    + " checked against plain while the tower loads; a shape where it disagrees runs plain, with a"
                    + " warning (default: ${DEFAULT-VALUE})")
    LinearKernel linear = LinearKernel.AUTO;

    /**
     * The --dtype value.
     *
     * @return the compute dtype
     */
    public Precision dtype() {
        return dtype;
    }
}
