package dev.sdcond.conditioning;

import static dev.sdcond.models.Goldens.ATOL;
import static dev.sdcond.models.Goldens.assertClose;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sdcond.conditioning.prompt.PromptStyle;
import dev.sdcond.conditioning.tokenizer.ClipTokenizer;
import dev.sdcond.models.Compute;
import dev.sdcond.models.Goldens;
import dev.sdcond.models.checkpoint.HfCheckpoint;
import dev.sdcond.models.clip.ClipTextModel;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * From prompt text to conditioning, on the tiny goldens: clip-tiny-a stands in for CLIP-L (pads with EOS),
 * clip-text-tiny-b for OpenCLIP (pads with 0, has text_projection).
 */
class TextConditionerTest {
    private static final String GA = "clip-tiny-a/golden_text_prompts.safetensors";
    private static final String GB = "clip-text-tiny-b/golden_text_prompts.safetensors";
    private static final EncodeOptions PLAIN77 = EncodeOptions.DEFAULT.withStyle(PromptStyle.PLAIN).withMaxChunks(1);

    private static HfCheckpoint ckptA;
    private static HfCheckpoint ckptB;
    private static ClipTextModel towerA;
    private static ClipTextModel towerB;
    private static ClipTokenizer tok;
    private static List<String> prompts;

    @BeforeAll
    static void load() throws IOException {
        ckptA = HfCheckpoint.open(Goldens.path("clip-tiny-a"));
        ckptB = HfCheckpoint.open(Goldens.path("clip-text-tiny-b"));
        towerA = ckptA.loadText(Compute.CPU);
        towerB = ckptB.loadText(Compute.CPU);
        tok = ClipTokenizer.bundled();
        JsonNode p = new ObjectMapper().readTree(Goldens.path("clip-tiny-a/golden_text_prompts.json").toFile());
        prompts = new ArrayList<>();
        p.get("prompts").forEach(n -> prompts.add(n.asText()));
    }

    @AfterAll
    static void close() {
        towerA.close();
        towerB.close();
        ckptA.close();
        ckptB.close();
        tok.close();
    }

    private static TextConditioner sd15() {
        return new TextConditioner(Preset.SD15, List.of(TextEncoder.of(towerA, tok, 49407)));
    }

    private static TextConditioner sd2() {
        return new TextConditioner(Preset.SD2, List.of(TextEncoder.of(towerB, tok, 0)));
    }

    private static TextConditioner sdxl() {
        return new TextConditioner(Preset.SDXL, List.of(TextEncoder.of(towerA, tok, 49407), TextEncoder.of(towerB, tok, 0)));
    }

    @Test
    void sd15FromPromptTextMatchesTheGoldens() {
        try (NDManager m = NDManager.newBaseManager()) {
            TextConditioning c = sd15().encode(m, prompts, null, PLAIN77).positive();
            assertArrayEquals(Goldens.readIds(m, GA, "input_ids"), c.inputIds());
            assertClose(Goldens.read(m, GA, "last_hidden_state"), c.hiddenStates(), ATOL, "sd15 hidden states");
            assertNull(c.pooled());
            assertEquals(75, c.tokenCounts()[4]);
            assertTrue(c.droppedTokens()[4] > 0);
        }
    }

    @Test
    void sd2TakesThePenultimateLayerWithFinalNorm() {
        try (NDManager m = NDManager.newBaseManager()) {
            TextConditioning c = sd2().encode(m, prompts, null, PLAIN77).positive();
            assertArrayEquals(Goldens.readIds(m, GB, "input_ids"), c.inputIds());
            NDArray expected = towerB.applyFinalLayerNorm(Goldens.read(m, GB, "hidden_states.4"));
            assertClose(expected, c.hiddenStates(), ATOL, "sd2 hidden states");
            TextConditioning last = sd2().encode(m, prompts, null, PLAIN77.withLayer(LayerSelection.LAST)).positive();
            assertClose(Goldens.read(m, GB, "last_hidden_state"), last.hiddenStates(), ATOL, "layer override");
        }
    }

    @Test
    void sdxlConcatenatesBothEncodersAndPoolsTheSecond() {
        try (NDManager m = NDManager.newBaseManager()) {
            TextConditioning c = sdxl().encode(m, prompts, null, PLAIN77).positive();
            assertEquals(List.of(5L, 77L, 72L), List.of(c.hiddenStates().getShape().get(0),
                    c.hiddenStates().getShape().get(1), c.hiddenStates().getShape().get(2)));
            assertClose(Goldens.read(m, GA, "hidden_states.3"), c.hiddenStates().get(":, :, :32"), ATOL, "CLIP-L half");
            assertClose(Goldens.read(m, GB, "hidden_states.4"), c.hiddenStates().get(":, :, 32:"), ATOL, "bigG half");
            assertClose(Goldens.read(m, GB, "text_embeds"), c.pooled(), ATOL, "pooled text_embeds");
        }
    }

    @Test
    void fluxGivesTheUnprojectedPooledOutput() {
        try (NDManager m = NDManager.newBaseManager()) {
            TextConditioner flux = new TextConditioner(Preset.FLUX, List.of(TextEncoder.of(towerA, tok, 49407)));
            TextConditioning c = flux.encode(m, prompts, null, PLAIN77).positive();
            assertNull(c.hiddenStates());
            NDArray last = Goldens.read(m, GA, "last_hidden_state");
            long[][] ids = Goldens.readIds(m, GA, "input_ids");
            for (int b = 0; b < ids.length; b++) {
                int pos = towerA.poolingPosition(ids[b]);
                assertClose(last.get(b + "," + pos + ",:"), c.pooled().get(b + ",:"), ATOL, "pooler_output " + b);
            }
        }
    }

    @Test
    void layerConventionsAgree() {
        try (NDManager m = NDManager.newBaseManager()) {
            List<String> p = prompts.subList(0, 2);
            NDArray a1111 = sd15().encode(m, p, null, PLAIN77.withLayer(LayerSelection.a1111ClipSkip(2))).positive().hiddenStates();
            NDArray diffusers = sd15().encode(m, p, null, PLAIN77.withLayer(LayerSelection.diffusersClipSkip(1, false)))
                    .positive().hiddenStates();
            NDArray comfy = sd15().encode(m, p, null, PLAIN77.withLayer(LayerSelection.comfySetLastLayer(-2, true)))
                    .positive().hiddenStates();
            assertClose(a1111, diffusers, 0f, "A1111 clip skip 2 = diffusers clip_skip 1");
            assertClose(a1111, comfy, 0f, "A1111 clip skip 2 = ComfyUI -2");
            NDArray one = sd15().encode(m, p, null, PLAIN77.withLayer(LayerSelection.a1111ClipSkip(1))).positive().hiddenStates();
            NDArray dz = sd15().encode(m, p, null, PLAIN77.withLayer(LayerSelection.diffusersClipSkip(0, false))).positive().hiddenStates();
            NDArray preset = sd15().encode(m, p, null, PLAIN77).positive().hiddenStates();
            assertClose(preset, one, 0f, "clip skip 1 = last layer");
            assertClose(preset, dz, 0f, "clip_skip 0 = last layer");
            NDArray xlPreset = sdxl().encode(m, p, null, PLAIN77).positive().hiddenStates();
            NDArray xlDiffusers = sdxl().encode(m, p, null, PLAIN77.withLayer(LayerSelection.diffusersClipSkip(0, true)))
                    .positive().hiddenStates();
            NDArray xlComfy = sdxl().encode(m, p, null, PLAIN77.withLayer(LayerSelection.comfySetLastLayer(-2, false)))
                    .positive().hiddenStates();
            assertClose(xlPreset, xlDiffusers, 0f, "SDXL default = diffusers clip_skip 0");
            assertClose(xlPreset, xlComfy, 0f, "SDXL default = ComfyUI -2");
        }
    }

    @Test
    void cutCheckpointsCountFromTheOriginalDepth() {
        assertEquals(23, LayerSelection.PENULTIMATE_NORMED.resolve(23, 24));
        assertEquals(23, LayerSelection.PENULTIMATE_NORMED.resolve(24, 24));
        dev.sdcond.models.InvalidInputException e = assertThrows(dev.sdcond.models.InvalidInputException.class, () -> LayerSelection.LAST.resolve(23, 24));
        assertTrue(e.getMessage().contains("cut"), e.getMessage());
        assertThrows(dev.sdcond.models.InvalidInputException.class, () -> new LayerSelection(-7, true).resolve(5, 5));
        assertThrows(dev.sdcond.models.InvalidInputException.class, () -> LayerSelection.a1111ClipSkip(0));
    }

    @Test
    void longPromptsAreChunkedAndConcatenated() {
        try (NDManager m = NDManager.newBaseManager()) {
            String longPrompt = prompts.get(4);
            TextConditioning c = sd15().encode(m, longPrompt, null, EncodeOptions.DEFAULT.withStyle(PromptStyle.PLAIN)).positive();
            int k = c.chunks();
            assertTrue(k >= 2, "chunks " + k);
            assertEquals(77L * k, c.hiddenStates().getShape().get(1));
            // each chunk is encoded on its own: chunk 0 equals the truncated prompt
            NDArray first = sd15().encode(m, longPrompt, null, PLAIN77).positive().hiddenStates();
            assertClose(first, c.hiddenStates().get(":, :77, :"), 1e-5f, "first chunk");
            assertEquals(0, c.droppedTokens()[0]);
        }
    }

    @Test
    void positiveAndNegativeArePaddedToTheSameChunks() {
        try (NDManager m = NDManager.newBaseManager()) {
            TextConditioner.Result r = sd15().encode(m, prompts.get(4), "blurry", EncodeOptions.DEFAULT);
            assertEquals(r.positive().hiddenStates().getShape(), r.negative().hiddenStates().getShape());
            NDArray empty = sd15().encode(m, "", null, PLAIN77).positive().hiddenStates();
            NDArray blurry = sd15().encode(m, "blurry", null, PLAIN77).positive().hiddenStates();
            assertClose(blurry, r.negative().hiddenStates().get(":, :77, :"), 1e-5f, "negative chunk 0");
            assertClose(empty, r.negative().hiddenStates().get(":, 77:154, :"), 1e-5f, "padding chunk = empty prompt");
        }
    }

    @Test
    void sdxlZeroesAnEmptyNegativeByDefault() {
        try (NDManager m = NDManager.newBaseManager()) {
            TextConditioner.Result r = sdxl().encode(m, "a photo of a cat", "", EncodeOptions.DEFAULT);
            assertEquals(0f, r.negative().hiddenStates().abs().max().getFloat());
            assertEquals(0f, r.negative().pooled().abs().max().getFloat());
            TextConditioner.Result kept = sdxl().encode(m, "a photo of a cat", "",
                    EncodeOptions.DEFAULT.withZeroEmptyNegative(false));
            assertTrue(kept.negative().hiddenStates().abs().max().getFloat() > 0);
            TextConditioner.Result sd = sd15().encode(m, "a photo of a cat", "", EncodeOptions.DEFAULT);
            assertTrue(sd.negative().hiddenStates().abs().max().getFloat() > 0, "SD1.x encodes the empty prompt");
        }
    }

    /** The tools' own conditioning without LoRA (goldens/ti-lora/lora_hidden.safetensors, base.*). */
    private static NDArray toolOutput(NDManager m, String key) {
        return Goldens.read(m, "ti-lora/lora_hidden.safetensors", key);
    }

    private static final String WEIGHTED = "a (red:1.3) car on a road at night";
    private static final String LONG = ("cat dog red blue green tree house car sun moon star sky sea road city girl boy man"
            + " woman bird ").repeat(4).strip();

    @Test
    void a1111AndComfyWeightingMatchTheToolsOwnOutputs() {
        try (NDManager m = NDManager.newBaseManager()) {
            for (PromptStyle style : new PromptStyle[] {PromptStyle.A1111, PromptStyle.COMFY}) {
                String tool = style == PromptStyle.A1111 ? "a1111" : "comfy";
                EncodeOptions o = EncodeOptions.DEFAULT.withStyle(style);
                assertClose(toolOutput(m, "base.sd1.p2." + tool + ".hidden"),
                        sd15().encode(m, WEIGHTED, null, o).positive().hiddenStates().get(0), 1e-4f, tool + " sd1");
                TextConditioning xl = sdxl().encode(m, WEIGHTED, null, o).positive();
                assertClose(toolOutput(m, "base.sdxl.p2." + tool + ".hidden"), xl.hiddenStates().get(0), 1e-4f,
                        tool + " sdxl");
                assertClose(toolOutput(m, "base.sdxl.p2." + tool + ".pooled"), xl.pooled().get(0), 1e-4f,
                        tool + " sdxl pooled");
            }
        }
    }

    @Test
    void thePooledVectorOfALongPromptIsItsFirstChunksPositiveAndNegative() {
        assertEquals(80, LONG.split(" ").length, "the goldens' p3: 80 one-token words");
        try (NDManager m = NDManager.newBaseManager()) {
            for (PromptStyle style : new PromptStyle[] {PromptStyle.A1111, PromptStyle.COMFY}) {
                String tool = style == PromptStyle.A1111 ? "a1111" : "comfy";
                EncodeOptions o = EncodeOptions.DEFAULT.withStyle(style);
                TextConditioner.Result r = sdxl().encode(m, LONG, LONG, o);
                assertEquals(154, r.positive().hiddenStates().getShape().get(1), "two chunks");
                NDArray expected = toolOutput(m, "base.sdxl.p3." + tool + ".pooled");
                assertClose(expected, r.positive().pooled().get(0), 1e-4f, tool + " positive pooled");
                assertClose(expected, r.negative().pooled().get(0), 1e-4f, tool + " negative pooled");
                assertClose(toolOutput(m, "base.sdxl.p3." + tool + ".hidden"), r.negative().hiddenStates().get(0),
                        1e-4f, tool + " negative hidden");
            }
        }
    }

    @Test
    void batchedPromptsEqualSingleOnes() {
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray batch = sdxl().encode(m, prompts.subList(0, 3), null, EncodeOptions.DEFAULT).positive().hiddenStates();
            for (int i = 0; i < 3; i++) {
                NDArray one = sdxl().encode(m, prompts.get(i), null, EncodeOptions.DEFAULT).positive().hiddenStates();
                assertClose(one, batch.get(i + ":" + (i + 1)), 1e-5f, "prompt " + i);
            }
        }
    }

    @Test
    void presetNeedsTheRightEncoders() {
        assertThrows(dev.sdcond.models.ModelMismatchException.class,
                () -> new TextConditioner(Preset.SDXL, List.of(TextEncoder.of(towerA, tok, 49407))));
        assertThrows(dev.sdcond.models.ModelMismatchException.class, () -> new TextConditioner(Preset.SDXL,
                List.of(TextEncoder.of(towerB, tok, 49407), TextEncoder.of(towerB.equals(towerA) ? towerB : noProjection(), tok, 0))));
    }

    private static ClipTextModel noProjection() {
        return new dev.sdcond.models.weights.RandomParameters(1, java.util.Map.of()) == null ? null
                : ClipTextModel.load(new dev.sdcond.models.weights.RandomParameters(1, java.util.Map.of()),
                        towerB.config(), Compute.CPU);
    }
}
