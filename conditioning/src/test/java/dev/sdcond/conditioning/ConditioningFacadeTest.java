package dev.sdcond.conditioning;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.sdcond.conditioning.prompt.PromptStyle;
import dev.sdcond.models.Compute;
import dev.sdcond.models.FloatTensor;
import dev.sdcond.models.Goldens;
import dev.sdcond.models.safetensors.SafetensorsFile;
import dev.sdcond.models.safetensors.SafetensorsWriter;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link Conditioning}: plain results that match the goldens, kept without any DJL type. */
class ConditioningFacadeTest {
    @TempDir
    Path tmp;

    @Test
    void plainResultsMatchTheGoldensAndOutliveTheCall() throws Exception {
        Conditioning.Result r;
        try (Conditioning sd = Conditioning.open(TextRequest.builder()
                .setModels(Goldens.path("clip-tiny-a").toString()).optStyle(PromptStyle.PLAIN).build())) {
            assertEquals("sd15", sd.preset().name());
            r = sd.encode("a photo of a cat", "blurry");
            assertNull(sd.encode("a photo of a cat").negativeHiddenStates());
            assertThrows(dev.sdcond.models.InvalidInputException.class, () -> sd.encode("x", null));
            // a batch: each row as the prompt alone (same chunk count)
            List<Conditioning.Result> batch = sd.encodeBatch(List.of("a dog", "a photo of a cat"),
                    List.of("", "blurry"));
            assertEquals(r.hiddenStates(), batch.get(1).hiddenStates());
            assertEquals(r.negativeHiddenStates(), batch.get(1).negativeHiddenStates());
            sd.close();
            // used after close: an error of the hierarchy, naming what happened
            assertThrows(dev.sdcond.models.InvalidInputException.class, () -> sd.encode("x"));
        }
        // the model is closed: the result is plain Java and still there
        assertArrayEquals(new long[] {1, 77, 32}, r.hiddenStates().shape());
        assertNull(r.pooled(), "SD1.x has no pooled vector");
        assertArrayEquals(new long[] {1, 77, 32}, r.negativeHiddenStates().shape());
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray golden = Goldens.read(m, "clip-tiny-a/golden_text_prompts.safetensors", "last_hidden_state")
                    .get("0:1");
            Goldens.assertClose(golden, m.create(r.hiddenStates().values()).reshape(1, 77, 32), 1e-4f, "facade");
            assertEquals(golden.getFloat(0, 5, 7), r.hiddenStates().get(0, 5, 7), 1e-4f);
        }
        Path f = tmp.resolve("plain.safetensors");
        new SafetensorsWriter().add("prompt_embeds", r.hiddenStates()).write(f, false);
        try (SafetensorsFile file = SafetensorsFile.open(f)) {
            assertEquals(r.hiddenStates(), new FloatTensor(file.info("prompt_embeds").orElseThrow().shape(),
                    file.readFloats("prompt_embeds")));
        }
    }

    @Test
    void sdxlGivesPooledVectors() {
        try (Conditioning xl = Conditioning.open(TextRequest.builder().setModels(
                Goldens.path("clip-tiny-a").toString(), Goldens.path("clip-text-tiny-b").toString()).build())) {
            Conditioning.Result r = xl.encode("a (red:1.3) car on a road at night", "");
            assertArrayEquals(new long[] {1, 77, 72}, r.hiddenStates().shape());
            assertArrayEquals(new long[] {1, 24}, r.pooled().shape());
            assertEquals(0f, r.negativePooled().get(0, 3), "SDXL zeroes an empty negative prompt");
            try (NDManager m = NDManager.newBaseManager()) {
                Goldens.assertClose(Goldens.read(m, "ti-lora/lora_hidden.safetensors", "base.sdxl.p2.a1111.pooled"),
                        m.create(r.pooled().values()), 1e-4f, "the tool's pooled vector");
            }
        }
    }
}
