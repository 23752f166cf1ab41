package dev.sdcond.cli;

import static dev.sdcond.models.Goldens.assertClose;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import dev.sdcond.models.Goldens;
import dev.sdcond.models.safetensors.SafetensorsFile;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The commands run in-process on the goldens; outputs are read back and compared. */
class CliTest {
    @TempDir
    Path tmp;

    record Run(int code, String out, String err) {}

    static Run run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = Sdcond.run(new PrintWriter(out), new PrintWriter(err), args);
        return new Run(code, out.toString(), err.toString());
    }

    private static String g(String rel) {
        return Goldens.path(rel).toString();
    }

    /** A diffusers-like pipeline folder holding the tiny text encoders. */
    private Path pipeline(boolean sdxl) throws IOException {
        Path root = tmp.resolve(sdxl ? "xl" : "sd");
        copyDir(Goldens.path("clip-tiny-a"), root.resolve("text_encoder"));
        if (sdxl) {
            copyDir(Goldens.path("clip-text-tiny-b"), root.resolve("text_encoder_2"));
        }
        Files.createDirectories(root.resolve("tokenizer"));
        Files.copy(Goldens.path("tokenizer/vocab.json"), root.resolve("tokenizer/vocab.json"));
        Files.copy(Goldens.path("tokenizer/merges.txt"), root.resolve("tokenizer/merges.txt"));
        return root;
    }

    private static void copyDir(Path from, Path to) throws IOException {
        Files.createDirectories(to);
        for (String f : new String[] {"config.json", "model.safetensors"}) {
            Files.copy(from.resolve(f), to.resolve(f));
        }
    }

    private static long[] ints(SafetensorsFile f, String key, NDManager m) {
        return f.load(key, m, DataType.INT64).toLongArray();
    }

    @Test
    void encodeTextMatchesTheGoldens() throws IOException {
        Path out = tmp.resolve("a.safetensors");
        String prompt = "a photo of a cat";
        Run r = run("encode-text", "--model", pipeline(false).toString(), "--prompt", prompt, "--style", "plain",
                "--negative", "", "-o", out.toString());
        assertEquals(0, r.code(), r.err());
        try (SafetensorsFile f = SafetensorsFile.open(out); NDManager m = NDManager.newBaseManager()) {
            var golden = Goldens.read(m, "clip-tiny-a/golden_text_prompts.safetensors", "last_hidden_state");
            assertClose(golden.get("0:1"), f.load("hidden_states", m, DataType.FLOAT32), 1e-4f, "hidden_states");
            long[] ids = Goldens.readIds(m, "clip-tiny-a/golden_text_prompts.safetensors", "input_ids")[0];
            assertTrue(java.util.Arrays.equals(ids, ints(f, "input_ids", m)));
            assertTrue(f.names().contains("negative_hidden_states"));
            assertEquals("sd15", f.metadata().get("preset"));
            assertEquals(prompt, f.metadata().get("prompt"));
            assertEquals(64, f.metadata().get("model_sha256").length());
        }
    }

    @Test
    void sdxlPipelineGivesPooledAndConcatenatedStates() throws IOException {
        Path out = tmp.resolve("xl.safetensors");
        Run r = run("encode-text", "-m", pipeline(true).toString(), "-p", "a photo of a cat", "--style", "plain",
                "-o", out.toString());
        assertEquals(0, r.code(), r.err());
        try (SafetensorsFile f = SafetensorsFile.open(out); NDManager m = NDManager.newBaseManager()) {
            assertEquals("sdxl", f.metadata().get("preset"));
            assertTrue(java.util.Arrays.equals(new long[] {1, 77, 72}, f.info("hidden_states").get().shape()));
            var pooled = Goldens.read(m, "clip-text-tiny-b/golden_text_prompts.safetensors", "text_embeds").get("0:1");
            assertClose(pooled, f.load("pooled", m, DataType.FLOAT32), 1e-4f, "pooled");
        }
    }

    @Test
    void clipSkipStylesAgreeThroughTheCommandLine() throws IOException {
        String model = pipeline(false).toString();
        Path a = tmp.resolve("a1111.safetensors");
        Path d = tmp.resolve("diffusers.safetensors");
        Path l = tmp.resolve("layer.safetensors");
        assertEquals(0, run("encode-text", "-m", model, "-p", "cat", "--clip-skip", "2", "-o", a.toString()).code());
        assertEquals(0, run("encode-text", "-m", model, "-p", "cat", "--clip-skip", "1", "--clip-skip-style", "diffusers",
                "-o", d.toString()).code());
        assertEquals(0, run("encode-text", "-m", model, "-p", "cat", "--layer", "-2", "--final-norm", "true", "-o",
                l.toString()).code());
        assertEquals(0, run("compare", a.toString(), d.toString(), "--key", "hidden_states", "--atol", "0").code());
        assertEquals(0, run("compare", a.toString(), l.toString(), "--key", "hidden_states", "--atol", "0").code());
    }

    @Test
    void batchModeWritesOneFilePerLine() throws IOException {
        Path jsonl = tmp.resolve("p.jsonl");
        Files.writeString(jsonl, "{\"prompt\": \"a cat\", \"name\": \"cat\"}\n\n{\"prompt\": \"a dog\", \"negative\": \"blurry\"}\n");
        Path dir = tmp.resolve("out");
        Run r = run("encode-text", "-m", "builtin:sd15-random", "--prompts", jsonl.toString(), "--output-dir",
                dir.toString(), "--no-hash");
        assertEquals(0, r.code(), r.err());
        assertTrue(Files.exists(dir.resolve("cat.safetensors")));
        assertTrue(Files.exists(dir.resolve("000002.safetensors")));
        assertTrue(r.err().contains("2 prompts in"), r.err());
        try (SafetensorsFile f = SafetensorsFile.open(dir.resolve("000002.safetensors"))) {
            assertEquals("true", f.metadata().get("random_weights"));
            assertTrue(f.names().contains("negative_hidden_states"));
        }
        Path one = tmp.resolve("batch.safetensors");
        assertEquals(0, run("encode-text", "-m", "builtin:sd15-random", "--prompts", jsonl.toString(), "-o",
                one.toString()).code());
        try (SafetensorsFile f = SafetensorsFile.open(one)) {
            assertEquals(2, f.info("hidden_states").get().shape()[0]);
        }
    }

    @Test
    void npyFormat() throws IOException {
        Path out = tmp.resolve("npy");
        assertEquals(0, run("encode-text", "-m", pipeline(false).toString(), "-p", "cat", "--format", "npy", "-o",
                out.toString()).code());
        byte[] npy = Files.readAllBytes(out.resolve("hidden_states.npy"));
        assertEquals((byte) 0x93, npy[0]);
        String header = new String(npy, 10, 118, java.nio.charset.StandardCharsets.ISO_8859_1);
        assertTrue(header.contains("'descr': '<f4'") && header.contains("'shape': (1, 77, 32)"), header);
        assertEquals(128 + 77 * 32 * 4, npy.length);
        assertTrue(Files.exists(out.resolve("metadata.json")));
    }

    @Test
    void encodeImageMatchesTheGoldens() {
        Path out = tmp.resolve("img.safetensors");
        Run r = run("encode-image", "-m", g("clip-vision-tiny-h"), "-i", g("images/chelsea.png"), "-i",
                g("images/coffee.png"), "--uncond", "zero-pixels", "--save-pixels", "-o", out.toString());
        assertEquals(0, r.code(), r.err());
        try (SafetensorsFile f = SafetensorsFile.open(out); NDManager m = NDManager.newBaseManager()) {
            String gv = "clip-vision-tiny-h/golden_vision.safetensors";
            assertClose(Goldens.read(m, gv, "image_embeds").get("0:2"), f.load("image_embeds", m, DataType.FLOAT32),
                    1e-3f, "image_embeds");
            assertClose(Goldens.read(m, gv, "hidden_states.3").get("0:2"),
                    f.load("penultimate_hidden_states", m, DataType.FLOAT32), 1e-3f, "penultimate");
            assertClose(Goldens.read(m, gv, "image_embeds").get("3:4").tile(new long[] {2, 1}),
                    f.load("uncond_image_embeds", m, DataType.FLOAT32), 1e-4f, "uncond");
            assertTrue(f.names().contains("pixel_values"));
        }
        Path layer = tmp.resolve("layer.safetensors");
        assertEquals(0, run("encode-image", "-m", g("clip-vision-tiny-h"), "-i", g("images/chelsea.png"), "--layer", "-3",
                "-o", layer.toString()).code());
        try (SafetensorsFile f = SafetensorsFile.open(layer)) {
            assertTrue(f.names().contains("hidden_states_layer_2"), f.names().toString());
        }
    }

    @Test
    void imagesFolderWritesOneFileEach() throws IOException {
        Path dir = tmp.resolve("imgs");
        Files.createDirectories(dir);
        Files.copy(Goldens.path("images/gray_small.png"), dir.resolve("g.png"));
        Files.copy(Goldens.path("images/chelsea_q90.jpg"), dir.resolve("c.jpg"));
        Path out = tmp.resolve("emb");
        Run r = run("encode-image", "-m", g("clip-vision-tiny-h"), "--images", dir.toString(), "--output-dir", out.toString());
        assertEquals(0, r.code(), r.err());
        assertTrue(Files.exists(out.resolve("g.safetensors")) && Files.exists(out.resolve("c.safetensors")));
    }

    @Test
    void tokenizeInspectAndHelp() {
        Run t = run("tokenize", "-p", "a photo of a cat", "--json");
        assertEquals(0, t.code());
        assertTrue(t.out().contains("49406") && t.out().contains("\"token_count\" : 5"), t.out());
        Run z = run("tokenize", "-p", "a cat", "--pad", "zero");
        assertTrue(z.out().contains("[49406, 320, 2368, 49407, 0, 0"), z.out());
        Run i = run("inspect", g("clip-tiny-a"));
        assertEquals(0, i.code());
        assertTrue(i.out().contains("text tower (HF layout") && i.out().contains("vision tower (HF layout"), i.out());
        for (String cmd : new String[] {"encode-text", "encode-image", "tokenize", "inspect", "compare", "bench"}) {
            Run h = run(cmd, "--help");
            assertEquals(0, h.code());
            assertTrue(h.out().contains("Examples:"), cmd);
        }
    }

    @Test
    void compareFindsMismatchesAndMissingKeys() {
        String a = g("clip-tiny-a/golden_text.safetensors");
        String b = g("clip-tiny-a/golden_text_prompts.safetensors");
        Run r = run("compare", a, a);
        assertEquals(0, r.code(), r.out());
        Run shape = run("compare", a, b, "--key", "hidden_states.0");
        assertEquals(1, shape.code());
        assertTrue(shape.out().contains("MISMATCH"), shape.out());
        Run missing = run("compare", a, b, "--key", "nope");
        assertEquals(1, missing.code());
        assertTrue(missing.out().contains("MISSING"));
        Run values = run("compare", g("clip-tiny-a/golden_text.safetensors"), g("clip-tiny-a/golden_text.safetensors"),
                "--key", "hidden_states.1", "--atol", "-1");
        assertEquals(1, values.code());
        assertTrue(values.out().contains("worst ["), values.out());
    }

    @Test
    void exitCodesAndMessages() throws IOException {
        Path out = tmp.resolve("x.safetensors");
        // 2: bad arguments
        assertEquals(2, run("encode-text", "-m", "builtin:sd15-random", "-o", out.toString()).code());
        assertEquals(2, run("encode-text", "-m", "builtin:nope", "-p", "x", "-o", out.toString()).code());
        assertEquals(2, run("encode-text", "-m", "builtin:sd15-random", "-p", "x", "--layer", "-99", "-o",
                out.toString()).code());
        // 2: bad input file, named in the message
        Path bad = tmp.resolve("bad.png");
        Files.writeString(bad, "not an image");
        Run img = run("encode-image", "-m", g("clip-vision-tiny-h"), "-i", bad.toString(), "-o", out.toString());
        assertEquals(2, img.code());
        assertTrue(img.err().contains(bad.toString()), img.err());
        Path badModel = tmp.resolve("m");
        Files.createDirectories(badModel);
        Files.writeString(badModel.resolve("config.json"), "{\"model_type\": \"clip_text_model\"}");
        Files.write(badModel.resolve("model.safetensors"), new byte[] {1, 2, 3});
        Run model = run("encode-text", "-m", badModel.toString(), "-p", "x", "-o", out.toString());
        assertEquals(2, model.code());
        assertTrue(model.err().contains("model.safetensors"), model.err());
        // 4: model mismatch (a vision model for text; a preset that needs two encoders)
        assertEquals(4, run("encode-text", "-m", g("clip-vision-tiny-h"), "-p", "x", "-o", out.toString()).code());
        assertEquals(4, run("encode-text", "-m", g("clip-text-tiny-b"), "--preset", "sdxl", "-p", "x", "-o",
                out.toString()).code());
        // 3: I/O (the output's folder is a file)
        Path notDir = tmp.resolve("file");
        Files.writeString(notDir, "x");
        assertEquals(3, run("encode-text", "-m", "builtin:sd15-random", "-p", "x", "--no-hash", "-o",
                notDir.resolve("out.safetensors").toString()).code());
        assertFalse(Files.exists(out), "no output after failures");
    }

    @Test
    void weightedPromptsOnTheRandomModelsAreFinite() {
        // A1111 weighting rescales each chunk by the ratio of its means; with zero layer-norm biases (transformers'
        // init) those means are rounding noise and this prompt came out as Inf. The random models' biases are not zero.
        Path out = tmp.resolve("w.safetensors");
        Run r = run("encode-text", "-m", "builtin:sd15-random", "-p", "a photo of a (cat:1.2), BREAK, highly detailed",
                "--negative", "blurry", "--no-hash", "-o", out.toString());
        assertEquals(0, r.code(), r.err());
    }

    @Test
    void noOverwriteWithoutForceAndNoPartialFiles() throws IOException {
        Path out = tmp.resolve("o.safetensors");
        Files.writeString(out, "keep me");
        Run r = run("encode-text", "-m", "builtin:sd15-random", "-p", "x", "-o", out.toString());
        assertEquals(2, r.code());
        assertTrue(r.err().contains("--force"), r.err());
        assertEquals("keep me", Files.readString(out));
        assertEquals(0, run("encode-text", "-m", "builtin:sd15-random", "-p", "x", "--force", "--no-hash", "-o",
                out.toString()).code());
        try (SafetensorsFile f = SafetensorsFile.open(out)) {
            assertTrue(f.names().contains("hidden_states"));
        }
        // a failure after loading (bad --uncond image) leaves nothing behind, not even a temporary file
        Path img = tmp.resolve("img.safetensors");
        Path broken = tmp.resolve("broken.jpg");
        byte[] jpg = Files.readAllBytes(Goldens.path("images/chelsea_q90.jpg"));
        Files.write(broken, java.util.Arrays.copyOf(jpg, 2000));
        assertEquals(2, run("encode-image", "-m", g("clip-vision-tiny-h"), "-i", g("images/chelsea.png"), "--uncond",
                broken.toString(), "-o", img.toString()).code());
        try (Stream<Path> files = Files.list(tmp)) {
            assertTrue(files.noneMatch(p -> p.getFileName().toString().contains(".partial")
                    || p.getFileName().toString().startsWith("img")));
        }
    }

    @Test
    void aBadPromptAnywhereInABatchFailsBeforeAnyOutput() throws IOException {
        Path jsonl = tmp.resolve("p.jsonl");
        Files.writeString(jsonl, "{\"prompt\": \"a cat\"}\n{\"prompt\": \"a (broken\"}\n{\"prompt\": \"a dog\"}\n");
        Path dir = tmp.resolve("batch");
        Run r = run("encode-text", "-m", "builtin:sd15-random", "--prompts", jsonl.toString(), "--output-dir",
                dir.toString(), "--strict-syntax", "--no-hash");
        assertEquals(2, r.code(), r.err());
        assertTrue(r.err().contains("position 2"), r.err());
        assertFalse(Files.exists(dir), "checked before any work: nothing written");
    }

    @Test
    void anIpAdapterThatNeedsAnotherEncoderIsRefused() throws IOException {
        Path adapter = tmp.resolve("ip-adapter_sd15.safetensors");
        new dev.sdcond.models.safetensors.SafetensorsWriter()
                .addFloats("image_proj.proj.weight", new long[] {4, 1024}, new float[4096]).write(adapter, false);
        Path out = tmp.resolve("e.safetensors");
        Run r = run("encode-image", "-m", g("clip-vision-tiny-h"), "-i", g("images/chelsea.png"), "--ip-adapter",
                adapter.toString(), "-o", out.toString());
        assertEquals(4, r.code(), r.err());
        assertTrue(r.err().contains("ViT-H/14"), r.err());
        assertFalse(Files.exists(out));
        // an IP-Adapter file given as the image encoder says what it is
        Run wrong = run("encode-image", "-m", adapter.toString(), "-i", g("images/chelsea.png"), "-o", out.toString());
        assertEquals(4, wrong.code(), wrong.err());
        assertTrue(wrong.err().contains("IP-Adapter"), wrong.err());
    }

    @Test
    void deviceAndDtypeOptions() throws IOException {
        Path f32 = tmp.resolve("f32.safetensors");
        Path f16 = tmp.resolve("f16.safetensors");
        String model = pipeline(false).toString();
        assertEquals(0, run("encode-text", "-m", model, "-p", "a photo of a cat", "-o", f32.toString()).code());
        assertEquals(0, run("encode-text", "-m", model, "-p", "a photo of a cat", "--dtype", "float16", "-o",
                f16.toString()).code());
        Run close = run("compare", f16.toString(), f32.toString(), "--key", "hidden_states", "--atol", "2e-2");
        assertEquals(0, close.code(), close.out());
        Run gpu = run("encode-text", "-m", model, "-p", "x", "--device", "gpu", "-o", tmp.resolve("g").toString());
        assertEquals(2, gpu.code());
        assertTrue(gpu.err().contains("CUDA"), gpu.err());
        Path b16 = tmp.resolve("b16.safetensors");
        assertEquals(0, run("encode-text", "-m", model, "-p", "a photo of a cat", "--dtype", "bfloat16", "-o",
                b16.toString()).code());
        try (SafetensorsFile f = SafetensorsFile.open(b16)) {
            assertEquals("F32", f.info("hidden_states").orElseThrow().dtype().name(), "bfloat16 mode writes float32");
        }
        Run bf16 = run("encode-text", "-m", model, "-p", "x", "--dtype", "bf8", "-o", tmp.resolve("b").toString());
        assertEquals(2, bf16.code());
        assertTrue(bf16.err().contains("bfloat16"), bf16.err());
        assertEquals(2, run("bench", "-m", "builtin:sd15-random", "--device", "gpu").code());
    }

    @Test
    void groupedImageBatchesEqualOneBatch() {
        Path one = tmp.resolve("one.safetensors");
        Path grouped = tmp.resolve("grouped.safetensors");
        String[] images = {"-i", g("images/chelsea.png"), "-i", g("images/coffee.png"), "-i", g("images/gray_small.png")};
        java.util.List<String> a = new java.util.ArrayList<>(java.util.List.of("encode-image", "-m", g("clip-vision-tiny-h"),
                "--uncond", "black", "-o", one.toString()));
        a.addAll(java.util.List.of(images));
        assertEquals(0, run(a.toArray(String[]::new)).code());
        java.util.List<String> b = new java.util.ArrayList<>(java.util.List.of("encode-image", "-m", g("clip-vision-tiny-h"),
                "--uncond", "black", "--batch-size", "2", "-o", grouped.toString()));
        b.addAll(java.util.List.of(images));
        assertEquals(0, run(b.toArray(String[]::new)).code());
        Run cmp = run("compare", grouped.toString(), one.toString(), "--atol", "1e-5");
        assertEquals(0, cmp.code(), cmp.out());
    }

    @Test
    void openClipFolderThroughTheCommandLine() {
        String oc = g("openclip-tiny");
        Path img = tmp.resolve("oc-img.safetensors");
        Run r = run("encode-image", "-m", oc, "-i", g("images/chelsea.png"), "-i", g("images/coffee.png"), "--uncond",
                "zero-pixels", "-o", img.toString());
        assertEquals(0, r.code(), r.err());
        Path txt = tmp.resolve("oc-txt.safetensors");
        Run t = run("encode-text", "-m", oc, "--preset", "sd2", "-p", "a photo of a cat", "--style", "plain", "--layer",
                "-1", "-o", txt.toString());
        assertEquals(0, t.code(), t.err());
        try (SafetensorsFile f = SafetensorsFile.open(img); SafetensorsFile ft = SafetensorsFile.open(txt);
                NDManager m = NDManager.newBaseManager()) {
            String gv = "openclip-tiny/golden_vision.safetensors";
            assertClose(Goldens.read(m, gv, "image_embeds").get("0:2"), f.load("image_embeds", m, DataType.FLOAT32),
                    1e-3f, "OpenCLIP image_embeds from PNG");
            assertClose(Goldens.read(m, gv, "image_embeds").get("2:3").tile(new long[] {2, 1}),
                    f.load("uncond_image_embeds", m, DataType.FLOAT32), 1e-4f, "OpenCLIP zero-pixel uncond");
            String gt = "openclip-tiny/golden_text_prompts.safetensors";
            assertClose(Goldens.read(m, gt, "last_hidden_state").get("0:1"), ft.load("hidden_states", m, DataType.FLOAT32),
                    1e-4f, "OpenCLIP last_hidden_state");
            assertTrue(java.util.Arrays.equals(Goldens.readIds(m, gt, "input_ids")[0], ints(ft, "input_ids", m)),
                    "pad 0 ids");
        }
    }

    @Test
    void comfyModesThroughTheCommandLine() {
        Path out = tmp.resolve("comfy.safetensors");
        Run r = run("encode-image", "-m", g("clip-vision-tiny-h"), "-i", g("images/coffee.png"), "--mode", "comfy-squash",
                "--save-pixels", "-o", out.toString());
        assertEquals(0, r.code(), r.err());
        try (SafetensorsFile f = SafetensorsFile.open(out); NDManager m = NDManager.newBaseManager()) {
            assertEquals("comfy-squash", f.metadata().get("mode"));
            assertClose(Goldens.read(m, "images/comfy_pixel_values.safetensors", "comfy.squash.coffee").expandDims(0),
                    f.load("pixel_values", m, DataType.FLOAT32), 0.0152f, "ComfyUI's pixels");
        }
    }

    @Test
    void diffusersNames() throws IOException {
        Path out = tmp.resolve("d.safetensors");
        Run r = run("encode-text", "-m", pipeline(true).toString(), "-p", "a cat", "--negative", "blurry", "--names",
                "diffusers", "--no-hash", "-o", out.toString());
        assertEquals(0, r.code(), r.err());
        try (SafetensorsFile f = SafetensorsFile.open(out)) {
            for (String k : new String[] {"prompt_embeds", "pooled_prompt_embeds", "negative_prompt_embeds",
                "negative_pooled_prompt_embeds"}) {
                assertTrue(f.names().contains(k), k + " in " + f.names());
            }
            assertFalse(f.names().contains("hidden_states"));
        }
    }

    @Test
    void comfyNamesHoldTheSameTensorsAsSdcondNames() throws IOException {
        Path a = tmp.resolve("sdcond.safetensors");
        Path b = tmp.resolve("comfy.safetensors");
        String xl = pipeline(true).toString();
        for (Path out : new Path[] {a, b}) {
            Run r = run("encode-text", "-m", xl, "-p", "a (cat:1.1)", "--negative", "", "--names",
                    out == a ? "sdcond" : "comfy", "--no-hash", "-o", out.toString());
            assertEquals(0, r.code(), r.err());
        }
        try (SafetensorsFile s = SafetensorsFile.open(a); SafetensorsFile c = SafetensorsFile.open(b);
                NDManager m = NDManager.newBaseManager()) {
            assertEquals(java.util.Set.of("cond", "pooled_output", "input_ids", "attention_mask", "negative_cond",
                    "negative_pooled_output", "negative_input_ids", "negative_attention_mask"),
                    java.util.Set.copyOf(c.names()));
            String[][] pairs = {{"hidden_states", "cond"}, {"pooled", "pooled_output"},
                {"negative_hidden_states", "negative_cond"}, {"negative_pooled", "negative_pooled_output"}};
            for (String[] p : pairs) {
                assertEquals(s.load(p[0], m, DataType.FLOAT32), c.load(p[1], m, DataType.FLOAT32), p[1]);
            }
        }
    }

    @Test
    void theAttentionKernelIsAChoiceAtLoadTime() {
        Path fused = tmp.resolve("fused.safetensors");
        Path explicit = tmp.resolve("explicit.safetensors");
        for (Path out : new Path[] {fused, explicit}) {
            Run r = run("encode-text", "-m", g("clip-tiny-a"), "-p", "a (cat:1.2) on a mat", "--attention",
                    out == fused ? "fused" : "explicit", "--no-hash", "-o", out.toString());
            assertEquals(0, r.code(), r.err());
        }
        Run c = run("compare", fused.toString(), explicit.toString(), "--atol", "1e-5");
        assertEquals(0, c.code(), c.out() + c.err());
        assertEquals(2, run("encode-text", "-m", g("clip-tiny-a"), "-p", "x", "--attention", "flash", "-o",
                tmp.resolve("x.safetensors").toString()).code());
    }

    @Test
    void benchReportsItsSettingsAndRunsBesideBusyProcesses() throws IOException {
        Run r = run("bench", "-m", g("clip-tiny-a"), "--batch", "1", "--warmup", "0", "--runs", "1", "--busy", "1",
                "--no-gemm-floor", "--linear", "plain", "--json");
        assertEquals(0, r.code(), r.err());
        var json = new com.fasterxml.jackson.databind.ObjectMapper().readTree(r.out());
        assertEquals(1, json.get("busy_processes").asInt());
        assertTrue(json.get("adaptive_threads").asBoolean());
        assertTrue(json.get("results").get(0).get("threads_min").asInt() >= 1, r.out());
        assertEquals("plain", json.get("linear").asText());
        assertEquals("fused", json.get("attention").asText());
        assertTrue(json.has("omp_wait_policy") && json.has("cpu") && json.get("results").size() == 1, r.out());
        Run fixed = run("bench", "-m", g("clip-tiny-a"), "--batch", "1", "--warmup", "0", "--runs", "2",
                "--fixed-threads", "--no-gemm-floor", "--json");
        assertEquals(0, fixed.code(), fixed.err());
        var f = new com.fasterxml.jackson.databind.ObjectMapper().readTree(fixed.out());
        assertFalse(f.get("adaptive_threads").asBoolean());
        int max = f.get("intra_op_threads").asInt();
        assertEquals(max, f.get("results").get(0).get("threads_min").asInt(), fixed.out());
        assertEquals(max, f.get("results").get(0).get("threads_max").asInt(), fixed.out());
    }

    @Test
    void fluxFromADiffusersFolderAtSchnellsLength() throws IOException {
        Path flux = Goldens.assemblePipeline("t5/flux-tiny", tmp.resolve("flux"));
        Path out = tmp.resolve("schnell.safetensors");
        Run r = run("encode-text", "-m", flux.toString(), "-p", "a photo of a cat", "--style", "plain", "--truncate",
                "--names", "diffusers", "--max-sequence-length", "256", "--no-hash", "-o", out.toString());
        assertEquals(0, r.code(), r.err());
        try (SafetensorsFile f = SafetensorsFile.open(out); NDManager m = NDManager.newBaseManager()) {
            assertClose(Goldens.read(m, "t5/flux-tiny/golden_flux.safetensors", "schnell.prompt_embeds").get("0:1"),
                    f.load("prompt_embeds", m, DataType.FLOAT32), 1e-4f, "schnell prompt_embeds, row 0");
            assertEquals("256", f.metadata().get("t5_max_sequence_length"));
        }
        assertEquals(2, run("encode-text", "-m", flux.toString(), "-p", "x", "--max-sequence-length", "513", "-o",
                tmp.resolve("y.safetensors").toString()).code());
        Run inspect = run("inspect", flux.toString());
        assertEquals(0, inspect.code(), inspect.err());
        assertTrue(inspect.out().contains("T5 encoder (HF layout, config.json): width 32, 3 blocks"), inspect.out());
    }
}
