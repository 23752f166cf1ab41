package dev.sdcond.cli;

import static dev.sdcond.cli.CliTest.run;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sdcond.models.Goldens;
import dev.sdcond.models.safetensors.SafetensorsFile;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** encode-text with a T5: the builtin Flux model with the small T5, and ComfyUI's T5 handling under --style comfy. */
class T5CliTest {
    @TempDir
    Path tmp;

    @Test
    void theBuiltinFluxModelWithTheSmallT5GivesTheRealShapes() {
        Path out = tmp.resolve("flux.safetensors");
        CliTest.Run r = run("encode-text", "-m", "builtin:flux-random-small-t5", "-p", "a cat", "--negative", "ugly",
                "--names", "diffusers", "--no-hash", "-o", out.toString());
        assertEquals(0, r.code(), r.err());
        try (SafetensorsFile f = SafetensorsFile.open(out)) {
            assertArrayEquals(new long[] {1, 512, 4096}, f.info("prompt_embeds").orElseThrow().shape());
            assertArrayEquals(new long[] {1, 768}, f.info("pooled_prompt_embeds").orElseThrow().shape());
            assertArrayEquals(new long[] {1, 512, 4096}, f.info("negative_prompt_embeds").orElseThrow().shape());
            assertArrayEquals(new long[] {512, 3}, f.info("text_ids").orElseThrow().shape());
            assertArrayEquals(new long[] {1, 512}, f.info("t5_input_ids").orElseThrow().shape());
            assertArrayEquals(new long[] {1, 512}, f.info("negative_t5_attention_mask").orElseThrow().shape());
            assertEquals("true", f.metadata().get("random_weights"));
        }
        assertEquals(2, run("encode-text", "-m", "builtin:flux-random-small-t5", "-p", "x", "--style", "comfy",
                "--max-sequence-length", "256", "-o", tmp.resolve("no.safetensors").toString()).code());
        assertFalse(Files.exists(tmp.resolve("no.safetensors")));
    }

    @Test
    void comfyStyleKeepsEachGroupsOwnT5Length() throws IOException {
        Path flux = Goldens.assemblePipeline("t5/flux-tiny", tmp.resolve("flux"));
        Path out = tmp.resolve("comfy.safetensors");
        String longPrompt = "a highly detailed oil painting of a quiet harbor at golden hour, ".repeat(24);
        CliTest.Run r = run("encode-text", "-m", flux.toString(), "-p", longPrompt, "--negative", "blurry", "--style",
                "comfy", "--no-hash", "-o", out.toString());
        assertEquals(0, r.code(), r.err());
        try (SafetensorsFile f = SafetensorsFile.open(out)) {
            long n = f.info("hidden_states").orElseThrow().shape()[1];
            assertTrue(n > 256, "never cut: " + n);
            assertArrayEquals(new long[] {1, 256, 32}, f.info("negative_hidden_states").orElseThrow().shape());
            assertArrayEquals(new long[] {n, 3}, f.info("text_ids").orElseThrow().shape());
            assertArrayEquals(new long[] {256, 3}, f.info("negative_text_ids").orElseThrow().shape());
            assertEquals("256", f.metadata().get("t5_min_length"));
            assertFalse(f.metadata().containsKey("t5_max_sequence_length"));
        }
    }

    @Test
    void tokenizeShowsT5IdsAsTheTokenizerGivesThem() {
        // goldens/t5/tokenizer/cases.json "plain": transformers' T5TokenizerFast("a photo of a cat")
        String t5 = Goldens.path("t5/tokenizer").toString();
        CliTest.Run r = run("tokenize", "-p", "a photo of a cat", "--tokenizer", t5);
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("ids: [5, 286, 15, 5, 491, 1]") && r.out().contains(
                "tokens: \u2581a \u2581photo \u2581of \u2581a \u2581cat </s>"), r.out());
        CliTest.Run cut = run("tokenize", "-p", "a photo of a cat", "--tokenizer", t5, "--max-sequence-length", "4",
                "--json");
        assertEquals(0, cut.code(), cut.err());
        String json = cut.out().replaceAll("\\s+", "");
        assertTrue(json.contains("\"ids\":[5,286,15,1]") && json.contains("\"attention_mask\":[1,1,1,1]"), json);
        assertEquals(2, run("tokenize", "-p", "x", "--max-sequence-length", "4").code(), "T5's option, CLIP tokenizer");
    }

    @Test
    void inspectReadsAT5FilesConfigFromItsShapes() {
        CliTest.Run r = run("inspect", Goldens.path("t5/t5-tiny/model.safetensors").toString());
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("T5 encoder (HF layout, config from the shapes): width 32, 3 blocks, 4 heads of 8,"
                + " feed-forward 64, vocabulary 4128"), r.out());
    }
}
