package dev.sdcond.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sdcond.models.Goldens;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Memory bounded by the work: a folder of large images goes through a JVM with a small heap. Decoded all at once,
 * 24 images of 2000x2000 need 288 MB for their RGB bytes alone; decoded per --batch-size they fit in 256 MB.
 */
class BoundedMemoryTest {
    @TempDir
    Path tmp;

    @Test
    void aFolderOfLargeImagesFitsASmallHeap() throws Exception {
        Path images = Files.createDirectories(tmp.resolve("large"));
        BufferedImage img = new BufferedImage(2000, 2000, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < 2000; y += 50) {
            for (int x = 0; x < 2000; x++) {
                img.setRGB(x, y, 0x3366cc ^ (x * 31));
            }
        }
        Path first = images.resolve("img00.png");
        ImageIO.write(img, "png", first.toFile());
        for (int i = 1; i < 24; i++) {
            Files.copy(first, images.resolve(String.format("img%02d.png", i)));
        }
        Path out = tmp.resolve("all.safetensors");
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx256m", "-cp", System.getProperty("java.class.path"), Sdcond.class.getName(), "encode-image",
                "-m", Goldens.path("clip-vision-tiny-h").toString(), "--images", images.toString(), "--batch-size", "4",
                "--no-hash", "-o", out.toString()));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(tmp.resolve("log").toFile()).start();
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), "finished");
        String log = Files.readString(tmp.resolve("log"));
        assertEquals(0, p.exitValue(), log);
        try (var f = dev.sdcond.models.safetensors.SafetensorsFile.open(out)) {
            assertEquals(24, f.info("image_embeds").orElseThrow().shape()[0]);
        }
    }

    @Test
    void rejectingABadOptionLoadsNothing() throws IOException {
        // a model that would take gigabytes if it were loaded: a bad option must fail without touching it
        long loaded = dev.sdcond.models.weights.WeightReader.parametersLoaded();
        CliTest.Run r = CliTest.run("encode-text", "-m", "builtin:sdxl-random", "-p", "x", "--threads", "0", "-o",
                tmp.resolve("o.safetensors").toString());
        assertEquals(2, r.code());
        assertEquals(loaded, dev.sdcond.models.weights.WeightReader.parametersLoaded(), "no weight made or read");
        assertFalse(java.nio.file.Files.exists(tmp.resolve("o.safetensors")));
    }
}
