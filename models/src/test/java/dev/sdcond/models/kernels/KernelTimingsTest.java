package dev.sdcond.models.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sdcond.models.Compute;
import dev.sdcond.models.Goldens;
import dev.sdcond.models.checkpoint.HfCheckpoint;
import dev.sdcond.models.clip.ClipVisionModel;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * auto's choice among the kernels that agree follows the per-machine timings: measured once and written to the cache
 * folder, then read from there (here rewritten by hand, so that the choice is known, whatever this machine's speed).
 */
class KernelTimingsTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    @TempDir
    Path dir;

    @BeforeEach
    void cacheHere() {
        System.setProperty("sdcond.cacheDir", dir.toString());
        KernelTimings.forget();
    }

    @AfterEach
    void cacheBack() {
        System.clearProperty("sdcond.cacheDir");
        KernelTimings.forget();
    }

    private String autoKernels() {
        KernelTimings.forget(); // a new process, as far as the cache is concerned
        try (HfCheckpoint ckpt = HfCheckpoint.open(Goldens.path("clip-vision-tiny-h"));
                ClipVisionModel tower = ckpt.loadVision(Compute.CPU)) {
            return tower.kernels();
        }
    }

    /** Sets every entry of the cache file to these times. */
    private void times(double mkl, double packed) throws IOException {
        Path file = dir.resolve("kernel-timings.json");
        ObjectNode all = (ObjectNode) JSON.readTree(file.toFile());
        all.fields().forEachRemaining(e -> ((ObjectNode) e.getValue()).put("mkl", mkl).put("packed", packed));
        JSON.writeValue(file.toFile(), all);
    }

    @Test
    void autoTakesTheFastestPerTheCacheAndKeepsItsPreferenceWithinTenPercent() throws IOException {
        autoKernels(); // measures, and writes the file
        org.junit.jupiter.api.Assumptions.assumeTrue(Files.exists(dir.resolve("kernel-timings.json")),
                "MKL and oneDNN do not both agree with plain products on this CPU: auto has nothing to time");
        ObjectNode all = (ObjectNode) JSON.readTree(dir.resolve("kernel-timings.json").toFile());
        assertEquals(4, all.size(), all.toString()); // the four product shapes of the layers before the last
        String key = all.fieldNames().next();
        assertTrue(key.contains("kernels " + TorchScriptKernels.moduleHash()) && key.contains("libtorch "), key);
        times(1.0, 5.0);
        assertEquals("qkv [96 x 32] mkl (last layer: packed); out_proj [32 x 32] mkl (last layer: packed); fc1 [64 x 32]"
                + " mkl (last layer: packed); fc2 [32 x 64] mkl (last layer: packed); attention fused", autoKernels());
        times(5.0, 1.0);
        assertFalse(autoKernels().contains("mkl"));
        times(1.09, 1.0); // MKL, preferred, within 10% of the fastest: kept
        assertTrue(autoKernels().startsWith("qkv [96 x 32] mkl"));
        times(1.11, 1.0);
        assertTrue(autoKernels().startsWith("qkv [96 x 32] packed"));
    }

    @Test
    void aDamagedCacheIsMeasuredAgainAndReplaced() throws IOException {
        Files.writeString(dir.resolve("kernel-timings.json"), "{\"truncated");
        assertTrue(autoKernels().startsWith("qkv [96 x 32] "));
        JSON.readTree(dir.resolve("kernel-timings.json").toFile()); // valid JSON again (entries where both agree)
    }

    @Test
    void theCacheFolderCanBeMovedOrTurnedOff() {
        assertEquals(Optional.of(dir), KernelTimings.folder());
        System.setProperty("sdcond.cacheDir", "off");
        assertEquals(Optional.empty(), KernelTimings.folder());
        autoKernels(); // measured, and written nowhere
        assertFalse(Files.exists(dir.resolve("kernel-timings.json")));
    }
}
