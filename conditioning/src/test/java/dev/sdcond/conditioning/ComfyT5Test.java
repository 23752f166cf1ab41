package dev.sdcond.conditioning;

import static dev.sdcond.models.Goldens.assertClose;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sdcond.conditioning.prompt.PromptStyle;
import dev.sdcond.conditioning.tokenizer.T5Tokenizer;
import dev.sdcond.models.Compute;
import dev.sdcond.models.Goldens;
import dev.sdcond.models.InvalidInputException;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * ComfyUI's T5 handling under {@code --style comfy} (goldens/t5 README, "ComfyUI and Stability's reference code differ
 * from diffusers"): ids never cut and padded up to 256 (Flux) or 77 (SD3), per-segment tokenization, weights
 * interpolating from the encoding of {@code [</s>, 0, ...]}, and SD3's unprojected CLIP-L pooled vector.
 */
class ComfyT5Test {
    private static final EncodeOptions COMFY = EncodeOptions.DEFAULT.withStyle(PromptStyle.COMFY);
    private static final EncodeOptions PLAIN = EncodeOptions.DEFAULT.withStyle(PromptStyle.PLAIN).withMaxChunks(1);
    private static JsonNode cases;

    @BeforeAll
    static void readCases() throws IOException {
        JsonNode all = new ObjectMapper().readTree(Goldens.path("t5/tokenizer/cases.json").toFile()).get("cases");
        cases = all;
    }

    private static long[] caseIds(String name, String key) {
        for (JsonNode c : cases) {
            if (c.get("name").asText().equals(name)) {
                long[] out = new long[c.get(key).size()];
                for (int i = 0; i < out.length; i++) {
                    out[i] = c.get(key).get(i).asLong();
                }
                return out;
            }
        }
        throw new AssertionError("no case " + name);
    }

    private static String casePrompt(String name) {
        for (JsonNode c : cases) {
            if (c.get("name").asText().equals(name)) {
                return c.get("prompt").asText();
            }
        }
        throw new AssertionError("no case " + name);
    }

    @Test
    void idsArePaddedToTheMinimumAndNeverCut() {
        try (T5Tokenizer tok = T5Tokenizer.fromFolder(Goldens.path("t5/tokenizer"))) {
            // an unweighted prompt: transformers' ids, padded to ComfyUI's minimum (SD3 77, Flux 256)
            for (String name : List.of("plain", "tags", "sentence", "eos_in_text")) {
                T5Rows sd3 = T5Rows.of(tok, List.of(casePrompt(name)), PromptStyle.COMFY, 256, 77);
                assertArrayEquals(caseIds(name, "ids77"), sd3.ids()[0], name);
                assertNull(sd3.weights(), name);
                T5Rows flux = T5Rows.of(tok, List.of(casePrompt(name)), PromptStyle.COMFY, 512, 256);
                assertArrayEquals(caseIds(name, "ids256"), flux.ids()[0], name);
            }
            // the goldens' row "tags" at ComfyUI's SD3 length is exactly these ids
            try (NDManager m = NDManager.newBaseManager()) {
                assertArrayEquals(Goldens.readIds(m, "t5/t5-tiny/golden_t5_unpadded.safetensors", "input_ids.tags")[0],
                        T5Rows.of(tok, List.of(casePrompt("tags")), PromptStyle.COMFY, 256, 77).ids()[0]);
            }
            // longer than the minimum: every id, no padding, no cut (diffusers would cut to 256 / 512)
            for (String name : List.of("between_256_512", "over_512")) {
                assertArrayEquals(caseIds(name, "ids"), T5Rows.of(tok, List.of(casePrompt(name)), PromptStyle.COMFY,
                        256, 256).ids()[0], name);
            }
            // other styles: diffusers' padding and truncation to the sequence length
            assertArrayEquals(caseIds("between_256_512", "ids256"), T5Rows.of(tok, List.of(casePrompt(
                    "between_256_512")), PromptStyle.A1111, 256, 256).ids()[0]);
        }
    }

    @Test
    void weightedSegmentsAreTokenizedAloneAndKeepTheirWeights() {
        try (T5Tokenizer tok = T5Tokenizer.fromFolder(Goldens.path("t5/tokenizer"))) {
            T5Rows r = T5Rows.of(tok, List.of("(a photo:1.5) of a cat"), PromptStyle.COMFY, 256, 77);
            assertArrayEquals(caseIds("plain", "ids77"), r.ids()[0]); // "a photo of a cat", the same pieces
            int weighted = tok.ids("a photo").length - 1;
            float[] expected = new float[77];
            Arrays.fill(expected, 1f);
            Arrays.fill(expected, 0, weighted, 1.5f);
            assertArrayEquals(expected, r.weights()[0]);
            long[] empty = new long[77];
            empty[0] = T5Tokenizer.EOS;
            assertArrayEquals(empty, r.emptyRow());
            // lengths that differ within a group cannot share one tensor
            InvalidInputException e = assertThrows(InvalidInputException.class, () -> T5Rows.of(tok, List.of("a cat",
                    casePrompt("between_256_512")), PromptStyle.COMFY, 256, 256));
            assertTrue(e.getMessage().contains("prompt 2 takes 408 tokens where prompt 1 takes 256"), e.getMessage());
        }
    }

    @Test
    void fluxMatchesDiffusersWhereTheyAgreeAndWeightsInterpolateFromTheEmptyRow(@TempDir Path dir)
            throws IOException {
        Path flux = Goldens.assemblePipeline("t5/flux-tiny", dir.resolve("flux"));
        String g = "t5/flux-tiny/golden_flux.safetensors";
        try (LoadedTextModel model = TextModels.open(List.of(flux.toString()), Compute.CPU);
                NDManager m = NDManager.newBaseManager()) {
            // "a photo of a cat" (16 CLIP tokens): ComfyUI's T5 ids are diffusers' schnell ids (256)
            TextConditioning c = model.conditioner().encode(m, List.of("a photo of a cat"), null, COMFY).positive();
            NDArray schnell = Goldens.read(m, g, "schnell.prompt_embeds").get("0:1");
            assertClose(schnell, c.hiddenStates(), 1e-4f, "comfy flux prompt_embeds");
            assertClose(Goldens.read(m, g, "schnell.pooled_prompt_embeds").get("0:1"), c.pooled(), 1e-4f, "pooled");
            // weight 0: the weighted tokens become the empty row's ([</s>, 0, ...], the encoding of ""), the others
            // stay those of the unweighted prompt
            NDArray zero = model.conditioner().encode(m, List.of("(a photo:0) of a cat"), null, COMFY).positive()
                    .hiddenStates();
            NDArray empty = model.conditioner().encode(m, List.of(""), null, COMFY).positive().hiddenStates();
            assertClose(empty.get(":, 0:2"), zero.get(":, 0:2"), 1e-5f, "weight 0 tokens");
            assertClose(c.hiddenStates().get(":, 2:"), zero.get(":, 2:"), 1e-6f, "unweighted tokens");
            // a long positive (408 T5 tokens) and a short negative: separate lengths, both uncut
            List<String> prompts = new ArrayList<>();
            prompts.add(casePrompt("between_256_512"));
            TextConditioner.Result r = model.conditioner().encode(m, prompts, List.of(""), COMFY);
            assertEquals(408, r.positive().hiddenStates().getShape().get(1));
            assertEquals(256, r.negative().hiddenStates().getShape().get(1));
            assertClose(empty, r.negative().hiddenStates(), 1e-5f, "the negative \"\"");
        }
    }

    @Test
    void sd3TakesSeventySevenT5TokensAndTheUnprojectedClipLPooled(@TempDir Path dir) throws IOException {
        Path sd3 = Goldens.assemblePipeline("t5/sd3-tiny", dir.resolve("sd3"));
        String g = "t5/sd3-tiny/golden_sd3.safetensors";
        try (LoadedTextModel model = TextModels.open(List.of(sd3.toString()), Compute.CPU);
                NDManager m = NDManager.newBaseManager()) {
            TextConditioner.Result r = model.conditioner().encode(m, List.of("a photo of a cat"), List.of(""), COMFY);
            NDArray h = r.positive().hiddenStates();
            assertEquals(new ai.djl.ndarray.types.Shape(1, 77 + 77, 80), h.getShape());
            NDArray diffusers = Goldens.read(m, g, "prompt_embeds").get("0:1, 0:77");
            assertClose(diffusers, h.get(":, 0:77"), 1e-4f, "the CLIP rows");
            long[][] ids = {caseIds("plain", "ids77")};
            NDArray t5 = model.conditioner().t5().orElseThrow().model().forward(m, ids).lastHiddenState();
            assertClose(t5, h.get(":, 77:"), 1e-5f, "T5 at ComfyUI's 77 tokens");
            NDArray pooled = Goldens.read(m, g, "pooled_prompt_embeds").get("0:1");
            NDArray l = Goldens.read(m, g, "comfyui.pooled_clip_l_unprojected").get("0:1");
            assertClose(l.concat(pooled.get(":, 16:"), 1), r.positive().pooled(), 1e-4f, "[L unprojected | G]");
            assertEquals(new ai.djl.ndarray.types.Shape(1, 77 + 77, 80), r.negative().hiddenStates().getShape());
            // diffusers' reading is unchanged
            TextConditioning d = model.conditioner().encode(m, List.of("a photo of a cat"), null, PLAIN).positive();
            assertClose(pooled, d.pooled(), 1e-4f, "diffusers pooled");
        }
    }
}
