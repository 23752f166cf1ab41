package dev.sdcond.models.clip;

import static dev.sdcond.models.Goldens.ATOL;
import static dev.sdcond.models.Goldens.assertClose;

import ai.djl.ndarray.NDManager;
import dev.sdcond.models.Compute;
import dev.sdcond.models.Goldens;
import dev.sdcond.models.checkpoint.HfCheckpoint;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The text towers against transformers' (golden_text) and openai/CLIP's (golden_text_prompts) outputs, through the
 * default kernels (what users get: {@code fused}, the linear kernel {@code auto}) and through each kernel by name.
 */
class ClipTextModelGoldenTest {

    @ParameterizedTest(name = "{0}/{1}, {2} kernels")
    @CsvSource({
        "clip-tiny-a, golden_text.safetensors, fused",
        "clip-tiny-a, golden_text_prompts.safetensors, fused",
        "clip-text-tiny-b, golden_text.safetensors, fused",
        "clip-text-tiny-b, golden_text_prompts.safetensors, fused",
        "clip-tiny-a, golden_text.safetensors, explicit",
        "clip-text-tiny-b, golden_text_prompts.safetensors, explicit",
        "clip-tiny-a, golden_text.safetensors, fused-plain",
        "clip-text-tiny-b, golden_text.safetensors, explicit-plain",
        "clip-tiny-a, golden_text_prompts.safetensors, fused-packed",
        "clip-text-tiny-b, golden_text_prompts.safetensors, explicit-packed",
    })
    void everyOutputMatchesTheGoldens(String model, String golden, String attention) {
        check(model + "/" + golden, model, AttentionKernels.cpu(attention));
    }

    private static void check(String g, String model, Compute compute) {
        try (HfCheckpoint ckpt = HfCheckpoint.open(Goldens.path(model));
                ClipTextModel tower = ckpt.loadText(compute);
                NDManager m = NDManager.newBaseManager()) {
            long[][] ids = Goldens.readIds(m, g, "input_ids");
            ClipOutput out = tower.forward(m, ids, OutputRequest.everything());
            for (int i = 0; i <= tower.numLayers(); i++) {
                assertClose(Goldens.read(m, g, "hidden_states." + i), out.hiddenState(i), ATOL, g + " hidden_states." + i);
            }
            assertClose(Goldens.read(m, g, "last_hidden_state"), out.lastHiddenState(), ATOL, g + " last_hidden_state");
            assertClose(Goldens.read(m, g, "text_embeds"), out.projected(), ATOL, g + " text_embeds");
        }
    }
}
