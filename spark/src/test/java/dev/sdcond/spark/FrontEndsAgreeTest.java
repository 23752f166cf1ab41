package dev.sdcond.spark;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.sdcond.conditioning.ClipSkipConvention;
import dev.sdcond.conditioning.Conditioning;
import dev.sdcond.conditioning.LayerChoice;
import dev.sdcond.conditioning.TextRequest;
import dev.sdcond.models.Goldens;
import dev.sdcond.models.safetensors.SafetensorsFile;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * One request, three front ends: {@code encode-text}, the Spark job (the same option words) and the library
 * ({@link TextRequest#builder()}) give bit-identical tensors, A1111 LoRA tags, clip skip and embeddings included.
 */
class FrontEndsAgreeTest {
    private static SparkSession spark;

    @BeforeAll
    static void start() {
        spark = LocalSpark.start();
    }

    @AfterAll
    static void stop() {
        LocalSpark.stop(spark);
    }

    @Test
    void theCommandLineTheSparkJobAndTheLibraryGiveTheSameBits(@TempDir Path dir) throws Exception {
        String model = Goldens.path("clip-tiny-a").toString();
        Path loras = Goldens.path("ti-lora/loras");
        Path embeddings = Goldens.path("ti-lora/embeddings");
        List<String> prompts = List.of("a (red:1.2) fox, sksone", "a cat <lora:sd1_kohya_alpha:0.6>",
                "portrait, " + "detailed, ".repeat(30) + "end");
        StringBuilder jsonl = new StringBuilder();
        for (int i = 0; i < prompts.size(); i++) {
            jsonl.append("{\"id\": \"p").append(i).append("\", \"name\": \"p").append(i).append("\", \"prompt\": ")
                    .append(new com.fasterxml.jackson.databind.ObjectMapper().writeValueAsString(prompts.get(i)))
                    .append(", \"negative\": \"blurry\"}\n");
        }
        Path in = Files.writeString(dir.resolve("prompts.jsonl"), jsonl);
        List<String> options = List.of("-m", model, "--clip-skip", "2", "--lora-dir", loras.toString(),
                "--embeddings", embeddings.toString());

        runBoth(List.of("encode-text", "--prompts", in.toString(), "--output-dir", dir.resolve("cli").toString()),
                List.of("-i", in.toString(), "-o", dir.resolve("job").toString(), "--negative-column", "negative",
                        "--output-dtype", "float32", "--batch-size", "3", "--master", "local[2]"), options);
        Map<String, Row> rows = new HashMap<>();
        for (Row r : spark.read().parquet(dir.resolve("job").toString()).collectAsList()) {
            rows.put(r.getAs("id"), r);
        }

        TextRequest request = TextRequest.builder().setModels(model)
                .optLayer(new LayerChoice.ClipSkip(2, ClipSkipConvention.A1111, Optional.empty())).addLoraDir(loras)
                .addEmbeddingDir(embeddings).build();
        try (Conditioning library = Conditioning.open(request)) {
            for (int i = 0; i < prompts.size(); i++) {
                Conditioning.Result lib = library.encode(prompts.get(i), "blurry");
                try (SafetensorsFile f = SafetensorsFile.open(dir.resolve("cli/p" + i + ".safetensors"))) {
                    assertArrayEquals(lib.hiddenStates().values(), f.readFloats("hidden_states"), "cli " + i);
                    assertArrayEquals(lib.negativeHiddenStates().values(), f.readFloats("negative_hidden_states"),
                            "cli negative " + i);
                }
                assertArrayEquals(lib.hiddenStates().values(), floats(rows.get("p" + i).getAs("hidden_states")),
                        "spark " + i);
                assertArrayEquals(lib.negativeHiddenStates().values(),
                        floats(rows.get("p" + i).getAs("negative_hidden_states")), "spark negative " + i);
            }
        }
    }

    @Test
    void imagesGiveTheSameBitsFromEveryFrontEnd(@TempDir Path dir) throws Exception {
        String model = Goldens.path("clip-vision-tiny-h").toString();
        Path images = Files.createDirectories(dir.resolve("images"));
        for (String n : List.of("chelsea", "coffee")) {
            Files.copy(Goldens.path("images/" + n + ".png"), images.resolve(n + ".png"));
        }
        List<String> options = List.of("-m", model, "--uncond", "zero-pixels", "--mode", "comfy", "--layer", "1");
        runBoth(List.of("encode-image", "--images", images.toString(), "--output-dir", dir.resolve("cli").toString()),
                List.of("-i", images.toString(), "--format", "images", "-o", dir.resolve("job").toString(),
                        "--output-dtype", "float32", "--master", "local[2]"), options);
        Map<String, Row> rows = new HashMap<>();
        for (Row r : spark.read().parquet(dir.resolve("job").toString()).collectAsList()) {
            rows.put(Path.of(java.net.URI.create(r.getAs("path"))).getFileName().toString(), r);
        }
        dev.sdcond.ipadapter.ImageRequest request = dev.sdcond.ipadapter.ImageRequest.builder().setModel(model)
                .optUncond("zero-pixels").optMode(dev.sdcond.ipadapter.preprocess.ResizeMode.COMFY).optLayer(1).build();
        try (dev.sdcond.ipadapter.ImageConditioning library = dev.sdcond.ipadapter.ImageConditioning.open(request)) {
            for (String n : List.of("chelsea", "coffee")) {
                var lib = library.encode(List.of(images.resolve(n + ".png")));
                try (SafetensorsFile f = SafetensorsFile.open(dir.resolve("cli/" + n + ".safetensors"))) {
                    assertArrayEquals(lib.imageEmbeds().values(), f.readFloats("image_embeds"), "cli " + n);
                    assertArrayEquals(lib.hiddenStates().values(), f.readFloats("hidden_states_layer_1"), "cli " + n);
                    assertArrayEquals(lib.uncondHiddenStates().values(), f.readFloats("uncond_hidden_states_layer_1"),
                            "cli negative " + n);
                }
                Row r = rows.get(n + ".png");
                assertArrayEquals(lib.imageEmbeds().values(), floats(r.getAs("image_embeds")), "spark " + n);
                assertArrayEquals(lib.hiddenStates().values(), floats(r.getAs("hidden_states_layer_1")), "spark " + n);
                assertArrayEquals(lib.uncondHiddenStates().values(), floats(r.getAs("uncond_hidden_states_layer_1")),
                        "spark negative " + n);
            }
        }
    }

    /** Runs the command line and the Spark job, each with its own arguments and the shared options; both must pass. */
    private static void runBoth(List<String> cliArgs, List<String> jobArgs, List<String> options) {
        List<String> cli = new java.util.ArrayList<>(cliArgs);
        cli.addAll(options);
        StringWriter err = new StringWriter();
        assertEquals(0, dev.sdcond.cli.Sdcond.run(new PrintWriter(new StringWriter()), new PrintWriter(err),
                cli.toArray(String[]::new)), err.toString());
        List<String> job = new java.util.ArrayList<>(jobArgs);
        job.addAll(options);
        StringWriter jobErr = new StringWriter();
        assertEquals(0, EncodeDataset.run(new PrintWriter(new StringWriter()), new PrintWriter(jobErr),
                job.toArray(String[]::new)), jobErr.toString());
    }

    private static float[] floats(byte[] bytes) {
        java.nio.FloatBuffer b = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer();
        float[] f = new float[b.remaining()];
        b.get(f);
        return f;
    }
}
