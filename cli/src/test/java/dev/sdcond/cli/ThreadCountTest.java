package dev.sdcond.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sdcond.models.Goldens;
import dev.sdcond.models.safetensors.SafetensorsFile;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An image's embeddings have the same bits at any thread count, so that they do not depend on how busy the machine is
 * (a pass runs with fewer threads beside busy processes). The pooled rows' attention used libtorch's fused kernel,
 * which gave image_embeds 3e-7 to 8e-7 apart at 1 and 2 threads (the golden ViT tower and ViT-H/14, every linear
 * kernel); the rows path now computes attention explicitly. Each run is its own JVM: libtorch's thread count is fixed
 * when its engine starts.
 */
class ThreadCountTest {
    @TempDir
    Path tmp;

    private Path encode(int threads) throws IOException, InterruptedException {
        Path out = tmp.resolve("t" + threads + ".safetensors");
        List<String> cmd = List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-cp",
                System.getProperty("java.class.path"), Sdcond.class.getName(), "encode-image", "-m",
                Goldens.path("clip-vision-tiny-h").toString(), "--image",
                Goldens.path("images/chelsea.png").toString(), "--threads", String.valueOf(threads), "--fixed-threads",
                "--no-hash", "-o", out.toString());
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(tmp.resolve("log" + threads)
                .toFile()).start();
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), "finished");
        assertEquals(0, p.exitValue(), Files.readString(tmp.resolve("log" + threads)));
        return out;
    }

    @Test
    void imageEmbeddingsAreTheSameAtOneAndTwoThreads() throws Exception {
        Path one = encode(1);
        Path two = encode(2);
        try (SafetensorsFile a = SafetensorsFile.open(one); SafetensorsFile b = SafetensorsFile.open(two)) {
            for (String key : List.of("image_embeds", "penultimate_hidden_states")) {
                assertArrayEquals(a.readFloats(key), b.readFloats(key), 0f, key);
            }
        }
    }
}
