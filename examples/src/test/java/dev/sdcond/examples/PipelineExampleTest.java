package dev.sdcond.examples;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sdcond.models.Goldens;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** The example program runs, on the tiny golden models, and uses no DJL type. */
class PipelineExampleTest {
    @Test
    void runsOnTheTinyModels() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        PipelineExample.run(new String[] {Goldens.path("clip-tiny-a").toString(), Goldens.path("clip-text-tiny-b")
            .toString(), Goldens.path("clip-vision-tiny-h").toString(), Goldens.path("images/chelsea.png").toString(),
            "a photo of a cat", "blurry"}, new PrintStream(bytes, true, StandardCharsets.UTF_8));
        String out = bytes.toString(StandardCharsets.UTF_8);
        assertTrue(out.contains("prompt_embeds [1, 77, 72]"), out);
        assertTrue(out.contains("pooled_prompt_embeds [1, 24]"), out);
        assertTrue(out.contains("ip_adapter_plus_image_embeds [1, 257, 32]"), out);
    }

    @Test
    void userCodeImportsNoDjl() throws Exception {
        String src = Files.readString(Path.of("src/main/java/dev/sdcond/examples/PipelineExample.java"));
        assertTrue(!src.contains("import ai.djl"), "the example imports DJL");
    }
}
