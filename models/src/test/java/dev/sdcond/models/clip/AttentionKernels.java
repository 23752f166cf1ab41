package dev.sdcond.models.clip;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.function.Supplier;

/** Runs test code under one attention kernel: the golden tests cover the fused kernel and the explicit fallback. */
final class AttentionKernels {
    private AttentionKernels() {}

    static <T> T with(String kernel, Supplier<T> body) {
        String before = System.getProperty(ScaledDotProductAttention.PROPERTY);
        System.setProperty(ScaledDotProductAttention.PROPERTY, kernel);
        try {
            // the fused kernel must really be there (it ships as a resource): no silent fallback in tests
            assertTrue(kernel.equals("explicit") || ScaledDotProductAttention.fused(), "fused attention kernel not loaded");
            return body.get();
        } finally {
            if (before == null) {
                System.clearProperty(ScaledDotProductAttention.PROPERTY);
            } else {
                System.setProperty(ScaledDotProductAttention.PROPERTY, before);
            }
        }
    }
}
