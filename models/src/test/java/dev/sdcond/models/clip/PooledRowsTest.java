package dev.sdcond.models.clip;

import static dev.sdcond.models.Goldens.ATOL;
import static dev.sdcond.models.Goldens.assertClose;
import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertThrows;

import ai.djl.ndarray.NDManager;
import dev.sdcond.models.Compute;
import dev.sdcond.models.Goldens;
import dev.sdcond.models.checkpoint.HfCheckpoint;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * A tower asked for its pooled outputs without {@code last_hidden_state} (SDXL's bigG, Flux's CLIP-L, IP-Adapter's
 * image encoder) runs its last layer for the pooled rows alone: those outputs still match transformers' (the goldens' prompts pool at
 * different positions, so the causal mask of each row is exercised), and the hidden states asked for beside them too.
 */
class PooledRowsTest {
    @ParameterizedTest(name = "{0}/{1}, {2} kernels")
    @CsvSource({
        "clip-tiny-a, golden_text.safetensors, fused",
        "clip-text-tiny-b, golden_text_prompts.safetensors, fused",
        "clip-tiny-a, golden_text_prompts.safetensors, explicit-plain",
        "clip-text-tiny-b, golden_text.safetensors, fused-packed",
    })
    void pooledRowsAloneMatchTheGoldens(String model, String golden, String kernels) {
        String g = model + "/" + golden;
        try (HfCheckpoint ckpt = HfCheckpoint.open(Goldens.path(model));
                ClipTextModel tower = ckpt.loadText(AttentionKernels.cpu(kernels));
                NDManager m = NDManager.newBaseManager()) {
            long[][] ids = Goldens.readIds(m, g, "input_ids");
            int layers = tower.numLayers();
            ClipOutput rows = tower.forward(m, ids, OutputRequest.hiddenStates(-2).withPooledVectors());
            assertThrows(java.util.NoSuchElementException.class, rows::lastHiddenState, "the last layer ran for the pooled rows");
            assertClose(Goldens.read(m, g, "text_embeds"), rows.projected(), ATOL, g + " text_embeds");
            assertClose(Goldens.read(m, g, "hidden_states." + (layers - 1)), rows.hiddenState(-2), ATOL,
                    g + " hidden_states." + (layers - 1));
            ClipOutput whole = tower.forward(m, ids, OutputRequest.everything());
            assertClose(whole.pooled(), rows.pooled(), 1e-5f, g + " pooled, rows vs whole layer");
            assertClose(whole.projected(), rows.projected(), 1e-5f, g + " projected, rows vs whole layer");

            // the last layer's hidden states asked for: it runs whole
            ClipOutput last = tower.forward(m, ids, OutputRequest.hiddenStates(-1).withPooledVectors());
            assertClose(Goldens.read(m, g, "hidden_states." + layers), last.hiddenState(-1), ATOL, g + " last layer");
            assertDoesNotThrow(last::lastHiddenState);
            assertClose(whole.pooled(), last.pooled(), 0f, g + " pooled, whole layer");
        }
    }

    /** Vision: the class token of each image; with MKL-packed weights (AUTO) the last layer keeps plain ones. */
    @ParameterizedTest(name = "{0} kernels")
    @CsvSource({"fused", "explicit-mkl", "fused-packed", "explicit-plain"})
    void visionClassTokensAloneMatchTheGoldens(String kernels) {
        String g = "clip-vision-tiny-h/golden_vision.safetensors";
        try (HfCheckpoint ckpt = HfCheckpoint.open(Goldens.path("clip-vision-tiny-h"));
                ClipVisionModel tower = ckpt.loadVision(AttentionKernels.cpu(kernels));
                NDManager m = NDManager.newBaseManager()) {
            ai.djl.ndarray.NDArray px = Goldens.read(m, g, "pixel_values");
            int layers = tower.numLayers();
            ClipOutput rows = tower.forward(m, px, OutputRequest.hiddenStates(-2).withPooledVectors());
            assertThrows(java.util.NoSuchElementException.class, rows::lastHiddenState);
            assertClose(Goldens.read(m, g, "image_embeds"), rows.projected(), ATOL, "image_embeds");
            assertClose(Goldens.read(m, g, "hidden_states." + (layers - 1)), rows.hiddenState(-2), ATOL, "penultimate");
            ClipOutput whole = tower.forward(m, px, OutputRequest.everything());
            assertClose(Goldens.read(m, g, "last_hidden_state"), whole.lastHiddenState(), ATOL, "last_hidden_state");
            assertClose(whole.projected(), rows.projected(), 1e-5f, "image_embeds, class tokens vs whole layer");
        }
    }

    @Test
    void bfloat16RowsAreTheWholeLayersRows() {
        String g = "clip-text-tiny-b/golden_text_prompts.safetensors";
        Compute c = new Compute(ai.djl.Device.cpu(), dev.sdcond.models.Precision.BFLOAT16);
        try (HfCheckpoint ckpt = HfCheckpoint.open(Goldens.path("clip-text-tiny-b"));
                ClipTextModel tower = ckpt.loadText(c);
                NDManager m = NDManager.newBaseManager()) {
            long[][] ids = Goldens.readIds(m, g, "input_ids");
            ClipOutput rows = tower.forward(m, ids, OutputRequest.hiddenStates(-2).withPooledVectors());
            assertThrows(java.util.NoSuchElementException.class, rows::lastHiddenState);
            ClipOutput whole = tower.forward(m, ids, OutputRequest.everything());
            assertClose(whole.projected(), rows.projected(), 2e-2f, g + " bfloat16 projected, rows vs whole layer");
        }
    }
}
