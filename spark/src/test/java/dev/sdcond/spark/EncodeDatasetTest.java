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
        spark = LocalSpark.start();
    }

    @AfterAll
    static void stop() {
        LocalSpark.stop(spark);
    }

    private static String lastErr = "";

    private static int run(String... args) {
        StringWriter err = new StringWriter();
        int code = EncodeDataset.run(new PrintWriter(new StringWriter()), new PrintWriter(err, true), args);
        System.err.print(err);
        lastErr = err.toString();
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
                "--strict-syntax", "--negative-column", "negative", "--batch-size", "4", "--master", "local[2]"));
        assertTrue(Files.exists(out.resolve("_SUCCESS")));
        assertTrue(lastErr.contains("sdcond-dataset: 4 / 4 rows,") && lastErr.contains("rows/s"), lastErr); // row3 refused first
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
        // a missing input is refused before any work
        assertEquals(2, run("-i", dir.resolve("absent.jsonl").toString(), "-o", dir.resolve("x").toString(), "-m", a));
        assertTrue(lastErr.contains("absent.jsonl: no such file or folder"), lastErr);
        // an existing output is refused before any work
        assertEquals(2, run("-i", in.toString(), "-o", out.toString(), "-m", a, "--master", "local[2]"));
        assertFalse(Files.exists(dir.resolve("x")));
    }

    /** A run stopped after some rows, then resumed on the whole input, gives the dataset of one uninterrupted run. */
    @Test
    void aResumedRunEqualsAnUninterruptedOne(@TempDir Path dir) throws Exception {
        String a = Goldens.path("clip-tiny-a").toString();
        StringBuilder all = new StringBuilder();
        for (int i = 0; i < 6; i++) {
            all.append("{\"id\": ").append(i).append(", \"prompt\": \"").append(i == 4 ? "(bad" : "a cat number " + i)
                    .append("\"}\n");
        }
        Path full = Files.writeString(dir.resolve("all.jsonl"), all);
        Path half = Files.writeString(dir.resolve("half.jsonl"), all.substring(0, all.indexOf("{\"id\": 3")));
        String[] common = {"-m", a, "--preset", "sd15", "--strict-syntax", "--master", "local[2]"};
        assertEquals(0, run(concat(new String[] {"-i", full.toString(), "-o", dir.resolve("once").toString()}, common)));
        assertEquals(0, run(concat(new String[] {"-i", half.toString(), "-o", dir.resolve("twice").toString()}, common)));
        assertEquals(0, run(concat(new String[] {"-i", full.toString(), "-o", dir.resolve("twice").toString(),
                "--resume"}, common)));
        for (String t : new String[] {"", "_errors"}) {
            assertSameRows(table(dir.resolve("once" + t)), table(dir.resolve("twice" + t)), t);
        }
        assertEquals(5, spark.read().parquet(dir.resolve("twice").toString()).count());
    }

    /**
     * kohya's SDXL cache files: np.savez's layout (a zip of stored .npy entries), read here as numpy would: the npy
     * magic, version 1.0, the header dict, float32 little-endian data equal to the Parquet row's columns.
     */
    @Test
    void npzFilesHoldKohyasSdxlArrays(@TempDir Path dir) throws Exception {
        Path in = Files.writeString(dir.resolve("p.jsonl"), "{\"id\": \"img_001\", \"prompt\": \"a cat\"}\n");
        String a = Goldens.path("clip-tiny-a").toString();
        String b = Goldens.path("clip-text-tiny-b").toString();
        Path npz = dir.resolve("npz");
        assertEquals(0, run("-i", in.toString(), "-o", dir.resolve("out").toString(), "-m", a, "-m", b, "--preset",
                "sdxl", "--output-dtype", "float32", "--npz-dir", npz.toString(), "--master", "local[2]"));
        Row r = spark.read().parquet(dir.resolve("out").toString()).first();
        java.nio.FloatBuffer hidden = java.nio.ByteBuffer.wrap((byte[]) r.getAs("hidden_states"))
                .order(java.nio.ByteOrder.LITTLE_ENDIAN).asFloatBuffer();
        java.nio.FloatBuffer pooled = java.nio.ByteBuffer.wrap((byte[]) r.getAs("pooled"))
                .order(java.nio.ByteOrder.LITTLE_ENDIAN).asFloatBuffer();
        Map<String, float[]> arrays = new HashMap<>();
        Map<String, String> headers = new HashMap<>();
        try (java.util.zip.ZipFile zip = new java.util.zip.ZipFile(npz.resolve("img_001.npz").toFile())) {
            for (java.util.zip.ZipEntry e : java.util.Collections.list(zip.entries())) {
                assertEquals(java.util.zip.ZipEntry.STORED, e.getMethod());
                byte[] bytes = zip.getInputStream(e).readAllBytes();
                assertEquals((byte) 0x93, bytes[0]);
                assertEquals("NUMPY", new String(bytes, 1, 5, java.nio.charset.StandardCharsets.ISO_8859_1));
                assertEquals(1, bytes[6]);
                int len = (bytes[8] & 0xff) | (bytes[9] & 0xff) << 8;
                assertEquals(0, (10 + len) % 64, "npy data starts 64-byte aligned");
                headers.put(e.getName(), new String(bytes, 10, len, java.nio.charset.StandardCharsets.ISO_8859_1)
                        .strip());
                java.nio.FloatBuffer f = java.nio.ByteBuffer.wrap(bytes, 10 + len, bytes.length - 10 - len)
                        .order(java.nio.ByteOrder.LITTLE_ENDIAN).asFloatBuffer();
                float[] v = new float[f.remaining()];
                f.get(v);
                arrays.put(e.getName(), v);
            }
        }
        int pooledWidth = pooled.remaining();
        assertEquals("{'descr': '<f4', 'fortran_order': False, 'shape': (77, 32), }", headers.get("hidden_state1.npy"));
        assertEquals("{'descr': '<f4', 'fortran_order': False, 'shape': (77, 40), }", headers.get("hidden_state2.npy"));
        assertEquals("{'descr': '<f4', 'fortran_order': False, 'shape': (" + pooledWidth + ",), }",
                headers.get("pool2.npy"));
        for (int t = 0; t < 77; t++) {
            for (int c = 0; c < 72; c++) {
                float expected = hidden.get(t * 72 + c);
                float got = c < 32 ? arrays.get("hidden_state1.npy")[t * 32 + c]
                        : arrays.get("hidden_state2.npy")[t * 40 + c - 32];
                assertEquals(expected, got, "token " + t + " column " + c);
            }
        }
        for (int i = 0; i < pooledWidth; i++) {
            assertEquals(pooled.get(i), arrays.get("pool2.npy")[i]);
        }
        try (var files = Files.list(npz)) {
            assertEquals(List.of("img_001.npz"), files.map(p -> p.getFileName().toString()).toList());
        }
    }

    /** Embeddings and a LoRA reach the executors: rows equal the library's with the same embeddings and LoRA. */
    @Test
    void embeddingsAndLorasMatchTheLibrary(@TempDir Path dir) throws Exception {
        List<String> prompts = List.of("a photo of sksone and skstwo", "skseight, a (cat:1.2)");
        StringBuilder jsonl = new StringBuilder();
        for (int i = 0; i < prompts.size(); i++) {
            jsonl.append("{\"id\": \"r").append(i).append("\", \"prompt\": \"").append(prompts.get(i)).append("\"}\n");
        }
        Path in = Files.writeString(dir.resolve("p.jsonl"), jsonl);
        String a = Goldens.path("clip-tiny-a").toString();
        String emb = Goldens.path("ti-lora/embeddings").toString();
        String lora = Goldens.path("ti-lora/loras/sd1_kohya_alpha.safetensors") + ":0.7";
        Path out = dir.resolve("out");
        assertEquals(0, run("-i", in.toString(), "-o", out.toString(), "-m", a, "--preset", "sd15", "--embeddings", emb,
                "--lora", lora, "--output-dtype", "float32", "--master", "local[2]"));
        Map<String, Row> rows = new HashMap<>();
        for (Row r : spark.read().parquet(out.toString()).collectAsList()) {
            rows.put(r.getAs("id"), r);
        }
        try (LoadedTextModel model = TextModels.open(List.of(a), java.util.Optional.of(Preset.SD15), Compute.CPU,
                List.of(dev.sdcond.models.lora.LoraSpec.parse(lora))); NDManager m = NDManager.newBaseManager()) {
            EncodeOptions options = EncodeOptions.DEFAULT.withEmbeddings(
                    dev.sdcond.conditioning.embeddings.EmbeddingStore.of(List.of(Path.of(emb))));
            for (int i = 0; i < prompts.size(); i++) {
                TextConditioner.Result lib = model.conditioner().encode(m, prompts.get(i), null, options);
                assertArrayEquals(lib.positive().hiddenStates().get(0).toType(DataType.FLOAT32, false).toByteArray(),
                        (byte[]) rows.get("r" + i).getAs("hidden_states"), "row " + i);
            }
        }
    }

    private static String[] concat(String[] a, String[] b) {
        String[] out = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    /** Safe round 2: rows sharing an id are all error rows, with or without --npz-dir; the others are encoded. */
    @Test
    void duplicateIdsAreErrorRowsNeverASilentOverwrite(@TempDir Path dir) throws Exception {
        Path in = Files.writeString(dir.resolve("dup.jsonl"), "{\"id\": \"dup\", \"prompt\": \"a cat\"}\n"
                + "{\"id\": \"ok\", \"prompt\": \"a dog\"}\n{\"id\": \"dup\", \"prompt\": \"a fox\"}\n");
        Path out = dir.resolve("out");
        Path npz = dir.resolve("npz");
        assertEquals(0, run("-i", in.toString(), "-o", out.toString(), "-m", Goldens.path("clip-tiny-a").toString(),
                "--npz-dir", npz.toString(), "--master", "local[2]"));
        List<Row> rows = spark.read().parquet(out.toString()).collectAsList();
        assertEquals(1, rows.size());
        assertEquals("ok", rows.get(0).getAs("id"));
        List<Row> errors = spark.read().parquet(dir.resolve("out_errors").toString()).collectAsList();
        assertEquals(2, errors.size());
        for (Row e : errors) {
            assertEquals("dup", e.getAs("id"));
            assertTrue(((String) e.getAs("error")).contains("duplicate id 'dup': 2 rows"), e.toString());
        }
        assertFalse(Files.exists(npz.resolve("dup.npz")));
        assertTrue(Files.exists(npz.resolve("ok.npz")));
        assertTrue(lastErr.contains("1 rows encoded") && lastErr.contains("2 in the errors table"), lastErr);
        // --fail-fast: refused before any encoding, nothing written
        assertEquals(2, run("-i", in.toString(), "-o", dir.resolve("ff").toString(), "-m",
                Goldens.path("clip-tiny-a").toString(), "--fail-fast", "--master", "local[2]"));
        assertTrue(lastErr.contains("duplicate id 'dup'"), lastErr);
        assertFalse(Files.exists(dir.resolve("ff")));
    }

    @Test
    void malformedCsvRecordsAndNonStringPromptsAreErrorRows(@TempDir Path dir) throws Exception {
        String model = Goldens.path("clip-tiny-a").toString();
        Path csv = Files.writeString(dir.resolve("p.csv"), "id,prompt\na,a cat\nb,\"a dog\non two lines\"\n"
                + "c,a fox,extra,columns\nd,\"a \"\"quoted\"\" bird\"\ne,\"\"\nf,\n");
        assertEquals(0, run("-i", csv.toString(), "-o", dir.resolve("csv").toString(), "-m", model,
                "--master", "local[2]"));
        Map<String, String> prompts = new HashMap<>();
        for (Row r : spark.read().parquet(dir.resolve("csv").toString()).collectAsList()) {
            prompts.put(r.getAs("id"), r.getAs("prompt"));
        }
        // e's quoted "" is an empty prompt, as JSONL's ""; f's empty field is no prompt, as JSONL's null
        assertEquals(Map.of("a", "a cat", "b", "a dog\non two lines", "d", "a \"quoted\" bird", "e", ""), prompts);
        Map<String, String> errors = new HashMap<>();
        for (Row r : table(dir.resolve("csv_errors"))) {
            errors.put(r.getAs("id"), r.getAs("error"));
        }
        assertEquals(java.util.Set.of("c", "f"), errors.keySet());
        assertTrue(errors.get("c").startsWith("malformed CSV record") && errors.get("c").contains("a fox,extra,columns"),
                errors.toString());
        assertTrue(errors.get("f").contains("no prompt"), errors.toString());

        // a quote never closed would swallow the records after it: the file is refused, naming the line
        Path open = Files.writeString(dir.resolve("open.csv"), "id,prompt\na,a cat\nb,\"a dog\nc,a fox\n");
        assertEquals(2, run("-i", open.toString(), "-o", dir.resolve("open").toString(), "-m", model,
                "--master", "local[2]"));
        assertTrue(lastErr.contains("open.csv: line 3: a quote opens a field and is never closed"), lastErr);
        assertFalse(Files.exists(dir.resolve("open")));

        Path jsonl = Files.writeString(dir.resolve("p.jsonl"), "{\"id\": \"s\", \"prompt\": \"a cat\"}\n"
                + "{\"id\": \"n\", \"prompt\": 42}\n{\"id\": \"o\", \"prompt\": {\"text\": \"a cat\"}}\n"
                + "{\"id\": \"l\", \"prompt\": [\"a\", \"cat\"]}\n{\"id\": \"x\", \"prompt\": \"a cat\"\n"
                + "[1, 2]\n\n{\"id\": \"z\", \"prompt\": null}\n");
        assertEquals(0, run("-i", jsonl.toString(), "-o", dir.resolve("j").toString(), "-m", model,
                "--master", "local[2]"));
        List<Row> good = spark.read().parquet(dir.resolve("j").toString()).collectAsList();
        assertEquals(1, good.size());
        assertEquals("s", good.get(0).getAs("id"));
        Map<String, String> why = new HashMap<>();
        for (Row r : spark.read().parquet(dir.resolve("j_errors").toString()).collectAsList()) {
            why.put(r.getAs("id") == null ? "null:" + r.getAs("error") : r.getAs("id"), r.getAs("error"));
        }
        assertTrue(why.get("n").contains("prompt is a number, not a string: 42"), why.toString());
        assertTrue(why.get("o").contains("prompt is an object"), why.toString());
        assertTrue(why.get("l").contains("prompt is an array"), why.toString());
        assertTrue(why.get("z").contains("no prompt"), why.toString());
        assertEquals(2, why.keySet().stream().filter(k -> k.startsWith("null:")).count(), why.toString());
        assertTrue(why.keySet().stream().anyMatch(k -> k.contains("malformed JSON line")), why.toString());
        assertTrue(why.keySet().stream().anyMatch(k -> k.contains("must be one JSON object, this is an array")),
                why.toString());
    }

    @Test
    void unclosedQuotesAreFoundWhereTheyOpen() throws Exception {
        assertEquals(0, CsvQuotes.unclosedQuoteLine(bytes("a,\"b\nc\"\nd,\"e\"\"f\"\n")));
        assertEquals(0, CsvQuotes.unclosedQuoteLine(bytes("a,b\"c,d\n"))); // a quote inside a field is a character
        assertEquals(2, CsvQuotes.unclosedQuoteLine(bytes("a,b\nc,\"d\ne,f\n")));
        assertEquals(1, CsvQuotes.unclosedQuoteLine(bytes("\"a\"\"\n")));
    }

    private static java.io.InputStream bytes(String s) {
        return new java.io.ByteArrayInputStream(s.getBytes(java.nio.charset.StandardCharsets.UTF_8));
    }

    @Test
    void failFastStopsOnABadPromptBeforeAnyModelLoads(@TempDir Path dir) throws Exception {
        Path in = Files.writeString(dir.resolve("p.jsonl"), "{\"id\": \"a\", \"prompt\": \"a cat\"}\n"
                + "{\"id\": \"b\", \"prompt\": \"a (cat\"}\n{\"id\": \"c\", \"prompt\": \"<lora:absent:1> cat\"}\n");
        long loaded = dev.sdcond.models.weights.WeightReader.parametersLoaded();
        assertEquals(2, run("-i", in.toString(), "-o", dir.resolve("ff").toString(), "-m",
                Goldens.path("clip-tiny-a").toString(), "--strict-syntax", "--fail-fast", "--master", "local[2]"));
        assertTrue(lastErr.contains("2 row(s) are refused before any encoding (--fail-fast, nothing written)"),
                lastErr);
        assertEquals(loaded, dev.sdcond.models.weights.WeightReader.parametersLoaded(), "no model was loaded");
        assertFalse(Files.exists(dir.resolve("ff")));
        // without --fail-fast they are error rows, with the messages the encoding gave before
        assertEquals(0, run("-i", in.toString(), "-o", dir.resolve("out").toString(), "-m",
                Goldens.path("clip-tiny-a").toString(), "--strict-syntax", "--master", "local[2]"));
        Map<String, String> errors = new HashMap<>();
        for (Row r : table(dir.resolve("out_errors"))) {
            errors.put(r.getAs("id"), r.getAs("error"));
        }
        assertEquals(java.util.Set.of("b", "c"), errors.keySet());
        assertTrue(errors.get("c").contains("absent.safetensors"), errors.toString());
        assertEquals(1, table(dir.resolve("out")).size());
    }

    /** A table's rows by id, without the piece they were committed in. */
    private static List<Row> table(Path folder) {
        return spark.read().parquet(folder.toString()).drop(Pieces.COLUMN).orderBy("id").collectAsList();
    }

    /**
     * A run stopped at each moment of its commits, then resumed, ends with the uninterrupted run's rows: same ids, same
     * tensor bytes, none twice, and the resume encodes only the rows of the pieces that did not commit.
     */
    @Test
    void aRunStoppedAtAnyMomentResumesToExactlyTheUninterruptedRows(@TempDir Path dir) throws Exception {
        String a = Goldens.path("clip-tiny-a").toString();
        StringBuilder all = new StringBuilder();
        for (int i = 0; i < 12; i++) {
            all.append("{\"id\": \"r").append(i).append("\", \"prompt\": \"")
                    .append(i == 5 ? "(bad" : "a cat number " + i).append("\"}\n");
        }
        Path in = Files.writeString(dir.resolve("p.jsonl"), all);
        String[] common = {"-i", in.toString(), "-m", a, "--strict-syntax", "--piece-rows", "3", "--master",
            "local[2]"};
        Path once = dir.resolve("once");
        assertEquals(0, run(concat(common, new String[] {"-o", once.toString()})));
        List<Row> expected = table(once);
        List<Row> expectedErrors = table(dir.resolve("once_errors"));
        assertEquals(11, expected.size());
        assertEquals(1, expectedErrors.size());
        // the moments: after some pieces committed; between a piece's output and errors commits; during a job commit
        // (part files without _SUCCESS); after every piece but before the tables' _SUCCESS; after the run finished
        for (String moment : List.of("pieces-lost", "between-writes", "during-commit", "before-finish", "finished")) {
            Path out = dir.resolve(moment);
            Path err = dir.resolve(moment + "_errors");
            Goldens.copyTree(once, out);
            Goldens.copyTree(dir.resolve("once_errors"), err);
            List<Path> pieces;
            try (var s = Files.list(out)) {
                pieces = s.filter(Files::isDirectory).sorted().toList();
            }
            long lost = 0;
            switch (moment) {
                case "pieces-lost" -> { // the last two pieces never ran
                    for (Path piece : pieces.subList(pieces.size() - 2, pieces.size())) {
                        lost += rowsIn(piece) + rowsIn(err.resolve(piece.getFileName()));
                        deleteTree(piece);
                        deleteTree(err.resolve(piece.getFileName()));
                    }
                }
                case "between-writes" -> { // output committed, errors not yet
                    Path piece = pieces.get(1);
                    lost += rowsIn(piece) + rowsIn(err.resolve(piece.getFileName()));
                    deleteTree(err.resolve(piece.getFileName()));
                }
                case "during-commit" -> { // some part files moved in, no _SUCCESS
                    Path piece = pieces.get(0);
                    lost += rowsIn(piece) + rowsIn(err.resolve(piece.getFileName()));
                    Files.delete(piece.resolve("_SUCCESS"));
                }
                default -> { }
            }
            if (!moment.equals("finished")) {
                Files.deleteIfExists(out.resolve("_SUCCESS"));
                Files.deleteIfExists(err.resolve("_SUCCESS"));
            }
            assertEquals(0, run(concat(common, new String[] {"-o", out.toString(), "--resume"})), moment);
            assertTrue(lastErr.contains(" rows encoded to "), lastErr);
            assertSameRows(expected, table(out), moment);
            assertSameRows(expectedErrors, table(err), moment + " errors");
            assertTrue(Files.exists(out.resolve("_SUCCESS")) && Files.exists(err.resolve("_SUCCESS")), moment);
            long encodedNow = Long.parseLong(lastErr.replaceAll("(?s).*sdcond-dataset: (\\d+) rows encoded.*", "$1"));
            long failedNow = Long.parseLong(lastErr.replaceAll("(?s).* (\\d+) in the errors table.*", "$1"));
            assertEquals(lost, encodedNow + failedNow, moment + ": only the rows of the pieces that did not commit");
        }
    }

    private static long rowsIn(Path piece) {
        return Files.isDirectory(piece) ? spark.read().parquet(piece.toString()).count() : 0;
    }

    private static void assertSameRows(List<Row> expected, List<Row> actual, String what) {
        assertEquals(expected.size(), actual.size(), what);
        for (int i = 0; i < expected.size(); i++) {
            for (int f = 0; f < expected.get(i).length(); f++) {
                Object x = expected.get(i).get(f);
                Object y = actual.get(i).get(f);
                if (x instanceof byte[] bx) {
                    assertArrayEquals(bx, (byte[]) y, what + " row " + i + " field " + f);
                } else {
                    assertEquals(x, y, what + " row " + i + " field " + f);
                }
            }
        }
    }

    private static void deleteTree(Path p) throws java.io.IOException {
        if (!Files.exists(p)) {
            return;
        }
        try (var s = Files.walk(p)) {
            for (Path x : s.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.delete(x);
            }
        }
    }
}
