package dev.sdcond.models.clip;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sdcond.models.AttentionKernel;
import dev.sdcond.models.Compute;
import dev.sdcond.models.LinearKernel;
import dev.sdcond.models.kernels.TorchScriptKernels;
import java.util.Locale;

/**
 * The compute choice of a golden test's kernels, {@code ATTENTION[-LINEAR]} (e.g. {@code fused}, {@code explicit},
 * {@code fused-packed}, {@code fused-plain}, {@code explicit-mkl}): the tests cover both attention kernels and every
 * linear kernel (AUTO packs text towers for oneDNN and vision towers for MKL).
 */
final class AttentionKernels {
    private AttentionKernels() {}

    static Compute cpu(String kernels) {
        String[] k = kernels.split("-");
        AttentionKernel a = AttentionKernel.valueOf(k[0].toUpperCase(Locale.ROOT));
        // the kernels must really be there (they ship as a resource): no silent fallback in tests
        assertTrue(TorchScriptKernels.available(), "sdcond's TorchScript kernels not available");
        assertTrue(TorchScriptKernels.packedLinearAvailable(), "oneDNN's packed linear not available");
        LinearKernel l = k.length > 1 ? LinearKernel.valueOf(k[1].toUpperCase(Locale.ROOT)) : LinearKernel.AUTO;
        return Compute.CPU.withAttention(a).withLinear(l);
    }
}
