package dev.sdcond.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sdcond.models.Goldens;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The README shows ReadmeExample.java as it is, and it runs (on a pipeline folder of the tiny golden models). */
class ReadmeExampleTest {
    private static final Path SOURCE = Path.of("src/main/java/dev/sdcond/examples/ReadmeExample.java");

    @Test
    void theReadmeShowsThisFile() throws IOException {
        String readme = Files.readString(Path.of("../README.md"));
        Matcher m = Pattern.compile("```java\n(package dev\\.sdcond\\.examples;\n.*?)```", Pattern.DOTALL)
                .matcher(readme);
        assertTrue(m.find(), "the README has the example");
        assertEquals(Files.readString(SOURCE), m.group(1));
        assertTrue(!m.group(1).contains("import ai.djl"), "user code imports no DJL type");
    }

    @Test
    void itRuns(@TempDir Path dir) throws IOException {
        Path pipeline = dir.resolve("sdxl");
        copy(Goldens.path("clip-tiny-a"), pipeline.resolve("text_encoder"));
        copy(Goldens.path("clip-text-tiny-b"), pipeline.resolve("text_encoder_2"));
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        PrintStream before = System.out;
        System.setOut(new PrintStream(bytes, true, StandardCharsets.UTF_8));
        try {
            ReadmeExample.main(new String[] {pipeline.toString(), Goldens.path("clip-vision-tiny-h").toString(),
                Goldens.path("images/chelsea.png").toString()});
        } finally {
            System.setOut(before);
        }
        assertEquals(String.join("\n", "[1, 77, 72]", "[1, 24]", "[1, 77, 72]", "[1, 24]", "[1, 257, 32]",
                "5544 values", ""), bytes.toString(StandardCharsets.UTF_8));
    }

    private static void copy(Path from, Path to) throws IOException {
        Files.createDirectories(to);
        for (String f : new String[] {"config.json", "model.safetensors"}) {
            Files.copy(from.resolve(f), to.resolve(f));
        }
    }
}
