package dev.sdcond.models.clip;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.sdcond.models.AttentionKernel;
import dev.sdcond.models.Compute;

/** The compute choice of a golden test's attention kernel: the tests cover the fused kernel and the explicit one. */
final class AttentionKernels {
    private AttentionKernels() {}

    static Compute cpu(String kernel) {
        AttentionKernel k = AttentionKernel.valueOf(kernel.toUpperCase(java.util.Locale.ROOT));
        // the fused kernel must really be there (it ships as a resource): no silent fallback in tests
        assertEquals(k, k.resolve(), "attention kernel " + k + " not available");
        return Compute.CPU.withAttention(k);
    }
}
