package dev.sdcond.models.clip;

import static dev.sdcond.models.Goldens.ATOL;
import static dev.sdcond.models.Goldens.assertClose;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.sdcond.models.Compute;
import dev.sdcond.models.Goldens;
import dev.sdcond.models.checkpoint.HfCheckpoint;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The vision tower against transformers' outputs on the golden pixel values. */
class ClipVisionModelGoldenTest {
    private static final String G = "clip-vision-tiny-h/golden_vision.safetensors";

    @ParameterizedTest(name = "{0} kernels")
    @ValueSource(strings = {"fused", "explicit", "fused-packed", "fused-plain", "explicit-mkl"})
    void everyOutputMatchesTheGoldens(String attention) {
        check(AttentionKernels.cpu(attention));
    }

    private static void check(Compute compute) {
        try (HfCheckpoint ckpt = HfCheckpoint.open(Goldens.path("clip-vision-tiny-h"));
                ClipVisionModel tower = ckpt.loadVision(compute);
                NDManager m = NDManager.newBaseManager()) {
            NDArray px = Goldens.read(m, G, "pixel_values");
            ClipOutput out = tower.forward(m, px, OutputRequest.everything());
            for (int i = 0; i <= tower.numLayers(); i++) {
                assertClose(Goldens.read(m, G, "hidden_states." + i), out.hiddenState(i), ATOL, "hidden_states." + i);
            }
            assertClose(Goldens.read(m, G, "last_hidden_state"), out.lastHiddenState(), ATOL, "last_hidden_state");
            assertClose(Goldens.read(m, G, "image_embeds"), out.projected(), ATOL, "image_embeds");
            assertClose(Goldens.read(m, G, "hidden_states." + (tower.numLayers() - 1)), out.hiddenState(-2), ATOL,
                    "penultimate");
        }
    }
}
