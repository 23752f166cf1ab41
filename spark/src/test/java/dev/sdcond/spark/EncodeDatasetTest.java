package dev.sdcond.spark;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import dev.sdcond.conditioning.EncodeOptions;
import dev.sdcond.conditioning.LoadedTextModel;
import dev.sdcond.conditioning.Preset;
import dev.sdcond.conditioning.TextConditioner;
import dev.sdcond.conditioning.TextModels;
import dev.sdcond.models.Compute;
import dev.sdcond.models.Goldens;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The dataset job on a local[2] Spark and the tiny SDXL goldens (clip-tiny-a + clip-text-tiny-b): every row's tensors
 * are bit-identical to the library's for that row, and a bad row lands in the errors table with its id and message.
 */
class EncodeDatasetTest {
    private static SparkSession spark;

    @BeforeAll
    static void start() {
        spark = SparkSession.builder().master("local[2]").appName("sdcond-test")
                .config("spark.ui.enabled", "false").getOrCreate();
    }

    @AfterAll
    static void stop() {
        ExecutorModels.closeAll();
        spark.stop();
    }

    private static int run(String... args) {
        StringWriter err = new StringWriter();
        int code = EncodeDataset.run(new PrintWriter(new StringWriter()), new PrintWriter(err, true), args);
        System.err.print(err);
        return code;
    }

    @Test
    void rowsMatchTheLibraryAndBadRowsGoToTheErrorsTable(@TempDir Path dir) throws Exception {
        List<String> prompts = List.of("a photo of a cat", "a (red:1.3) fox in the snow, [masterpiece]",
                "portrait, " + "detailed, ".repeat(40) + "end", "(unclosed bracket", "");
        StringBuilder jsonl = new StringBuilder();
        for (int i = 0; i < prompts.size(); i++) {
            jsonl.append("{\"id\": \"row").append(i).append("\", \"prompt\": ")
                    .append(new com.fasterxml.jackson.databind.ObjectMapper().writeValueAsString(prompts.get(i)))
                    .append(", \"negative\": \"blurry\"}\n");
        }
        Path in = Files.writeString(dir.resolve("prompts.jsonl"), jsonl);
        String a = Goldens.path("clip-tiny-a").toString();
        String b = Goldens.path("clip-text-tiny-b").toString();
        Path out = dir.resolve("out");
        assertEquals(0, run("-i", in.toString(), "-o", out.toString(), "-m", a, "-m", b, "--preset", "sdxl",
                "--strict", "--negative-column", "negative", "--batch-size", "4", "--master", "local[2]"));
        assertTrue(Files.exists(out.resolve("_SUCCESS")));
        Map<String, Row> rows = new HashMap<>();
        for (Row r : spark.read().parquet(out.toString()).collectAsList()) {
            rows.put(r.getAs("id"), r);
        }
        assertEquals(4, rows.size());
        List<Row> errors = spark.read().parquet(dir.resolve("out_errors").toString()).collectAsList();
        assertEquals(1, errors.size());
        assertEquals("row3", errors.get(0).getAs("id"));
        assertTrue(((String) errors.get(0).getAs("error")).contains("("), errors.get(0).toString());
        try (LoadedTextModel model = TextModels.open(List.of(a, b), Preset.SDXL, Compute.CPU);
                NDManager m = NDManager.newBaseManager()) {
            EncodeOptions options = EncodeOptions.DEFAULT.withStrictSyntax(true);
            for (int i : new int[] {0, 1, 2, 4}) {
                Row r = rows.get("row" + i);
                TextConditioner.Result lib = model.conditioner().encode(m, prompts.get(i), "blurry", options);
                assertEquals("float16", r.getAs("dtype"));
                assertArrayEquals(lib.positive().hiddenStates().get(0).toType(DataType.FLOAT16, false).toByteArray(),
                        (byte[]) r.getAs("hidden_states"), "row " + i);
                assertArrayEquals(lib.positive().pooled().get(0).toType(DataType.FLOAT16, false).toByteArray(),
                        (byte[]) r.getAs("pooled"), "row " + i);
                assertArrayEquals(lib.negative().hiddenStates().get(0).toType(DataType.FLOAT16, false).toByteArray(),
                        (byte[]) r.getAs("negative_hidden_states"), "row " + i);
                List<Integer> shape = r.getList(r.fieldIndex("hidden_states_shape"));
                assertEquals(List.of((int) lib.positive().hiddenStates().getShape().get(1), 72), shape);
            }
        }
        // the settings travel in the Parquet schema's metadata
        String meta = spark.read().parquet(out.toString()).schema().apply("hidden_states").metadata().json();
        assertTrue(meta.contains("\"style\":\"a1111\"") && meta.contains("clip-tiny-a"), meta);
        // an existing output is refused before any work
        assertEquals(2, run("-i", in.toString(), "-o", out.toString(), "-m", a, "--master", "local[2]"));
        assertFalse(Files.exists(dir.resolve("x")));
    }
}
