package dev.sdcond.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.sdcond.models.Goldens;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** BatchExample runs on the tiny golden SDXL pipeline with the golden SDXL LoRA and two decoded images. */
class BatchExampleTest {
    @Test
    void itRuns(@TempDir Path dir) throws IOException {
        Path pipeline = dir.resolve("sdxl");
        for (String[] part : new String[][] {{"clip-tiny-a", "text_encoder"}, {"clip-text-tiny-b", "text_encoder_2"}}) {
            Files.createDirectories(pipeline.resolve(part[1]));
            for (String f : new String[] {"config.json", "model.safetensors"}) {
                Files.copy(Goldens.path(part[0]).resolve(f), pipeline.resolve(part[1]).resolve(f));
            }
        }
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        BatchExample.run(new String[] {pipeline.toString(),
            Goldens.path("ti-lora/loras/sdxl_kohya_alpha.safetensors").toString(),
            Goldens.path("clip-vision-tiny-h").toString(), Goldens.path("images/chelsea.png").toString(),
            Goldens.path("images/coffee.png").toString()}, new PrintStream(bytes, true, StandardCharsets.UTF_8));
        assertEquals(String.join("\n", "prompt_embeds [1, 77, 72]", "pooled_prompt_embeds [1, 24]",
                "prompt_embeds [1, 77, 72]", "pooled_prompt_embeds [1, 24]",
                "ip_adapter_plus_image_embeds [2, 257, 32]", "ip_adapter_plus_uncond_image_embeds [2, 257, 32]", ""),
                bytes.toString(StandardCharsets.UTF_8));
    }
}
