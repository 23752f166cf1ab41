package dev.sdcond.models.testing;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.sdcond.models.Goldens;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class GoldenTensorsTest {
    @TempDir
    Path tmp;

    @Test
    void passesWithinToleranceAndFailsWithTheWorstIndex() {
        Path g = Goldens.path("clip-tiny-a/golden_text.safetensors");
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray a = Goldens.read(m, "clip-tiny-a/golden_text.safetensors", "text_embeds");
            assertDoesNotThrow(() -> GoldenTensors.assertClose(a, g, "text_embeds", 0));
            NDArray off = a.duplicate();
            off.set(new ai.djl.ndarray.index.NDIndex("2, 5"), a.getFloat(2, 5) + 0.01f);
            AssertionError e = assertThrows(AssertionError.class, () -> GoldenTensors.assertClose(off, g, "text_embeds", 1e-4));
            assertTrue(e.getMessage().contains("[2, 5]"), e.getMessage());
            assertDoesNotThrow(() -> GoldenTensors.assertClose(off, g, "text_embeds", 0.02));
        }
    }

    @Test
    void missingGoldensFailAndAreWrittenOnlyWhenAskedFor() {
        Path g = tmp.resolve("new.safetensors");
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray a = m.create(new float[] {1, 2, 3});
            AssertionError e = assertThrows(AssertionError.class, () -> GoldenTensors.assertClose(a, g, "x", 1e-4));
            assertTrue(e.getMessage().contains(GoldenTensors.WRITE_PROPERTY));
            assertFalse(Files.exists(g), "never written silently");
            System.setProperty(GoldenTensors.WRITE_PROPERTY, "true");
            try {
                assertThrows(AssertionError.class, () -> GoldenTensors.assertClose(a, g, "x", 1e-4));
            } finally {
                System.clearProperty(GoldenTensors.WRITE_PROPERTY);
            }
            assertTrue(Files.exists(g));
            assertDoesNotThrow(() -> GoldenTensors.assertClose(a, g, "x", 0));
        }
    }
}
