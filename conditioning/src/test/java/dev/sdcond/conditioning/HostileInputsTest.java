package dev.sdcond.conditioning;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sdcond.conditioning.embeddings.EmbeddingStore;
import dev.sdcond.conditioning.prompt.PromptStyle;
import dev.sdcond.conditioning.prompt.PromptTokenizer;
import dev.sdcond.conditioning.tokenizer.ClipTokenizer;
import dev.sdcond.conditioning.tokenizer.T5Tokenizer;
import dev.sdcond.models.Compute;
import dev.sdcond.models.Goldens;
import dev.sdcond.models.InvalidInputException;
import dev.sdcond.models.lora.LoraSpec;
import dev.sdcond.models.safetensors.SafetensorsFile;
import dev.sdcond.models.safetensors.SafetensorsWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Safe round 2, the inputs the previous round's probes broke: tokenizer files whose patterns make the native
 * tokenizer panic (which aborts the JVM: this test class would not finish), prompt weights and nesting beyond
 * float32 or the parser's depth, and LoRA and embedding values that would make NaN conditioning, refused up front
 * naming the file, key, strength or weight.
 */
class HostileInputsTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path tmp;

    @Test
    void aClipTokenizerJsonsOwnPatternsNeverReachTheNativeLibrary() throws Exception {
        ObjectNode root = (ObjectNode) JSON.readTree(Goldens.path("tokenizer/tokenizer.json").toFile());
        // the probe that aborted the JVM: a catastrophic Split pattern, and a normalizer that multiplies the text
        root.set("pre_tokenizer", JSON.readTree("{\"type\": \"Split\", \"pattern\": {\"Regex\": \"(a|aa)+$\"},"
                + " \"behavior\": \"Isolated\", \"invert\": false}"));
        root.set("normalizer", JSON.readTree("{\"type\": \"Replace\", \"pattern\": {\"String\": \"a\"}, \"content\": \""
                + "b".repeat(100_000) + "\"}"));
        Path dir = Files.createDirectories(tmp.resolve("hostile"));
        JSON.writeValue(dir.resolve("tokenizer.json").toFile(), root);
        String prompt = "a!".repeat(2_500);
        long[] hostile = assertTimeoutPreemptively(Duration.ofSeconds(30),
                () -> ClipTokenizer.fromFolder(dir).tokenize(prompt));
        // the vocabulary and merges are the file's; the pipeline is CLIP's, as transformers' CLIPTokenizer has it
        assertArrayEquals(ClipTokenizer.fromTokenizerJson(Goldens.path("tokenizer/tokenizer.json")).tokenize(prompt),
                hostile);
    }

    @Test
    void aT5TokenizerWithAPatternT5DoesNotUseIsRefused() throws Exception {
        Path golden = Goldens.path("t5/tokenizer/tokenizer.json");
        ObjectNode split = (ObjectNode) JSON.readTree(golden.toFile());
        split.set("pre_tokenizer", JSON.readTree("{\"type\": \"Split\", \"pattern\": {\"Regex\": \"(a|aa)+$\"},"
                + " \"behavior\": \"Isolated\", \"invert\": false}"));
        Path a = Files.createDirectories(tmp.resolve("split"));
        JSON.writeValue(a.resolve("tokenizer.json").toFile(), split);
        assertTrue(assertThrows(InvalidInputException.class, () -> T5Tokenizer.fromFolder(a)).getMessage()
                .contains("Split"));
        ObjectNode regex = (ObjectNode) JSON.readTree(golden.toFile());
        regex.set("normalizer", JSON.readTree("{\"type\": \"Replace\", \"pattern\": {\"Regex\": \"(a|aa)+$\"},"
                + " \"content\": \" \"}"));
        Path b = Files.createDirectories(tmp.resolve("regex"));
        JSON.writeValue(b.resolve("tokenizer.json").toFile(), regex);
        assertTrue(assertThrows(InvalidInputException.class, () -> T5Tokenizer.fromFolder(b)).getMessage()
                .contains("(a|aa)+$"));
        ObjectNode grow = (ObjectNode) JSON.readTree(golden.toFile());
        grow.set("normalizer", JSON.readTree("{\"type\": \"Replace\", \"pattern\": {\"String\": \"a\"}, \"content\": \""
                + "b".repeat(100_000) + "\"}"));
        Path c = Files.createDirectories(tmp.resolve("grow"));
        JSON.writeValue(c.resolve("tokenizer.json").toFile(), grow);
        assertTrue(assertThrows(InvalidInputException.class, () -> T5Tokenizer.fromFolder(c)).getMessage()
                .contains("100000 characters"));
        // the real file still loads
        try (T5Tokenizer t = T5Tokenizer.fromFolder(golden.getParent())) {
            assertTrue(t.ids("a cat").length > 0);
        }
    }

    @Test
    void promptWeightsBeyondFloat32AndDeepNestingAreRefusedUpFront() {
        // (A1111's weight pattern is [+-]?[.\d]+: "1e400" is no weight there but text, weighted 1.1, as in A1111)
        assertEquals("cat:1e400", PromptTokenizer.parse(PromptStyle.A1111, false, "(cat:1e400)").segments().get(0)
                .text());
        for (String p : List.of("a (cat:1e400)", "a (cat:" + "9".repeat(60) + ")")) {
            for (PromptStyle style : p.contains("e400") ? List.of(PromptStyle.COMFY)
                    : List.of(PromptStyle.A1111, PromptStyle.COMFY)) {
                InvalidInputException e = assertThrows(InvalidInputException.class,
                        () -> PromptTokenizer.parse(style, false, p), style + " " + p);
                assertTrue(e.getMessage().contains("cat") && e.getMessage().contains("float32"), e.getMessage());
            }
        }
        // 1.1^1000 = 2.5e41: A1111's nesting multiplies past float32
        assertThrows(InvalidInputException.class, () -> PromptTokenizer.parse(PromptStyle.A1111, false,
                "(".repeat(1000) + "cat" + ")".repeat(1000)));
        assertEquals(1.1 * 1.1, PromptTokenizer.parse(PromptStyle.A1111, false, "((cat))").segments().get(0).weight(),
                1e-12);
        // ComfyUI's parser recurses per level: 100,000 levels end in a syntax error, not a StackOverflowError
        String deep = "(".repeat(100_000) + "cat" + ")".repeat(100_000);
        InvalidInputException e = assertTimeoutPreemptively(Duration.ofSeconds(10), () -> assertThrows(
                InvalidInputException.class, () -> PromptTokenizer.parse(PromptStyle.COMFY, false, deep)));
        assertTrue(e.getMessage().contains("nested more than 256"), e.getMessage());
        // 256 levels still parse (the weight is 1.1^256, finite)
        PromptTokenizer.parse(PromptStyle.COMFY, false, "(".repeat(256) + "cat" + ")".repeat(256));
    }

    @Test
    void loraValuesThatWouldMakeNanAreRefusedNamingTheFile() throws Exception {
        Path golden = Goldens.path("ti-lora/loras/sd1_kohya_alpha.safetensors");
        Path nanAlpha = tmp.resolve("nan_alpha.safetensors");
        SafetensorsWriter w = new SafetensorsWriter();
        try (SafetensorsFile f = SafetensorsFile.open(golden)) {
            for (String name : f.names()) {
                long[] shape = f.info(name).orElseThrow().shape();
                float[] v = f.readFloats(name);
                if (name.equals("lora_te_text_model_encoder_layers_0_mlp_fc1.alpha")) {
                    v = new float[] {Float.NaN};
                }
                w.add(name, new dev.sdcond.models.FloatTensor(shape, v));
            }
        }
        w.write(nanAlpha, false);
        String model = Goldens.path("clip-tiny-a").toString();
        InvalidInputException e = assertThrows(InvalidInputException.class, () -> TextModels.open(List.of(model),
                java.util.Optional.empty(), Compute.CPU, List.of(new LoraSpec(nanAlpha, 1.0))));
        assertTrue(e.getMessage().contains("nan_alpha.safetensors") && e.getMessage().contains("alpha is NaN"),
                e.getMessage());
        InvalidInputException huge = assertThrows(InvalidInputException.class, () -> TextModels.open(List.of(model),
                java.util.Optional.empty(), Compute.CPU, List.of(new LoraSpec(golden, 1e308))));
        assertTrue(huge.getMessage().contains("sd1_kohya_alpha.safetensors") && huge.getMessage().contains("1.0E308"),
                huge.getMessage());
    }

    @Test
    void anEmbeddingWithNanIsUnusableNamingTheValue() throws Exception {
        Path dir = Files.createDirectories(tmp.resolve("emb"));
        new SafetensorsWriter().add("emb_params", new dev.sdcond.models.FloatTensor(new long[] {1, 32},
                new float[32])).write(dir.resolve("fine.safetensors"), false);
        float[] v = new float[32];
        v[7] = Float.POSITIVE_INFINITY;
        new SafetensorsWriter().add("emb_params", new dev.sdcond.models.FloatTensor(new long[] {1, 32}, v))
                .write(dir.resolve("broken.safetensors"), false);
        EmbeddingStore store = EmbeddingStore.of(List.of(dir));
        assertTrue(store.find("fine").isPresent());
        assertTrue(store.unusableNames().contains("broken"));
        // a prompt naming it fails with why, naming the file and the value
        InvalidInputException e = assertThrows(InvalidInputException.class, () -> store.find("broken"));
        assertTrue(e.getMessage().contains("broken.safetensors") && e.getMessage().contains("Infinity"), e.getMessage());
    }

    @Test
    void aVocabularyWithIdsPastTheModelsEmbeddingsIsRefusedAtOpen() throws Exception {
        Path dir = Files.createDirectories(tmp.resolve("vocab"));
        Files.copy(Goldens.path("clip-tiny-a/config.json"), dir.resolve("config.json"));
        Files.copy(Goldens.path("clip-tiny-a/model.safetensors"), dir.resolve("model.safetensors"));
        Files.copy(Goldens.path("tokenizer/merges.txt"), dir.resolve("merges.txt"));
        ObjectNode vocab = (ObjectNode) JSON.readTree(Goldens.path("tokenizer/vocab.json").toFile());
        vocab.put("cat</w>", 10_000_000);
        JSON.writeValue(dir.resolve("vocab.json").toFile(), vocab);
        InvalidInputException e = assertThrows(InvalidInputException.class, () -> TextModels.open(
                List.of(dir.toString()), java.util.Optional.empty(), Compute.CPU, List.of()));
        assertTrue(e.getMessage().contains("vocab.json: maps 'cat</w>' to id 10000000, but the text encoder has 49408"
                + " token embeddings"), e.getMessage());

        Path t5 = Files.createDirectories(tmp.resolve("t5"));
        for (String f : List.of("config.json", "model.safetensors")) {
            Files.copy(Goldens.path("t5/t5-tiny/" + f), t5.resolve(f));
        }
        ObjectNode tok = (ObjectNode) JSON.readTree(Goldens.path("t5/tokenizer/tokenizer.json").toFile());
        var pieces = (com.fasterxml.jackson.databind.node.ArrayNode) tok.get("model").get("vocab");
        for (int i = pieces.size(); i < 5000; i++) { // the tiny encoder has 4128 embeddings
            pieces.addArray().add("\u2581extra" + i).add(-20.0);
        }
        JSON.writeValue(t5.resolve("tokenizer.json").toFile(), tok);
        InvalidInputException t5e = assertThrows(InvalidInputException.class, () -> TextModels.open(List.of(
                Goldens.path("clip-tiny-a").toString(), t5.toString()), java.util.Optional.of(Preset.FLUX),
                Compute.CPU, List.of()));
        assertTrue(t5e.getMessage().contains("has ids up to 4999, but the T5 encoder has 4128 token embeddings"),
                t5e.getMessage());
    }
}
