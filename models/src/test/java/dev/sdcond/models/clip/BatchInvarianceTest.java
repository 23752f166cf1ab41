package dev.sdcond.models.clip;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.sdcond.models.Compute;
import dev.sdcond.models.Goldens;
import dev.sdcond.models.checkpoint.HfCheckpoint;
import dev.sdcond.models.LinearKernel;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * A prompt or an image gets the same bits alone as in a batch, so that the Spark job (which batches), the library and
 * the command line agree to the bit: the packed kernels multiply each row the same way whatever the rows around it,
 * and the pooled projections run one row at a time (libtorch's plain product of one row rounds unlike that of four:
 * 7e-7 apart before).
 */
class BatchInvarianceTest {
    @ParameterizedTest
    @EnumSource(value = LinearKernel.class, names = {"AUTO", "PACKED"})
    void aPromptAloneAndInABatchOfFour(LinearKernel kernel) {
        String g = "clip-text-tiny-b/golden_text_prompts.safetensors";
        try (HfCheckpoint ckpt = HfCheckpoint.open(Goldens.path("clip-text-tiny-b"));
                ClipTextModel tower = ckpt.loadText(Compute.CPU.withLinear(kernel));
                NDManager m = NDManager.newBaseManager()) {
            long[][] ids = Goldens.readIds(m, g, "input_ids");
            long[][] four = java.util.Arrays.copyOf(ids, 4);
            for (OutputRequest r : new OutputRequest[] {OutputRequest.everything(), OutputRequest.pooledOnly()}) {
                ClipOutput batch = tower.forward(m, four, r);
                for (int i = 0; i < 4; i++) {
                    ClipOutput alone = tower.forward(m, new long[][] {four[i]}, r);
                    assertArrayEquals(alone.projected().toFloatArray(), batch.projected().get(i + ":" + (i + 1))
                            .toFloatArray(), 0f, "text_embeds " + i);
                    if (r == OutputRequest.everything()) {
                        assertArrayEquals(alone.lastHiddenState().toFloatArray(), batch.lastHiddenState()
                                .get(i + ":" + (i + 1)).toFloatArray(), 0f, "last_hidden_state " + i);
                    }
                }
            }
        }
    }

    @ParameterizedTest
    @EnumSource(value = LinearKernel.class, names = {"AUTO", "PACKED"})
    void anImageAloneAndInABatchOfFour(LinearKernel kernel) {
        String g = "clip-vision-tiny-h/golden_vision.safetensors";
        try (HfCheckpoint ckpt = HfCheckpoint.open(Goldens.path("clip-vision-tiny-h"));
                ClipVisionModel tower = ckpt.loadVision(Compute.CPU.withLinear(kernel));
                NDManager m = NDManager.newBaseManager()) {
            NDArray px = Goldens.read(m, g, "pixel_values");
            OutputRequest r = OutputRequest.hiddenStates(-2).withPooled();
            ClipOutput batch = tower.forward(m, px, r);
            for (int i = 0; i < 4; i++) {
                ClipOutput alone = tower.forward(m, px.get(i + ":" + (i + 1)), r);
                assertArrayEquals(alone.projected().toFloatArray(), batch.projected().get(i + ":" + (i + 1))
                        .toFloatArray(), 0f, "image_embeds " + i);
                assertArrayEquals(alone.hiddenState(-2).toFloatArray(), batch.hiddenState(-2).get(i + ":" + (i + 1))
                        .toFloatArray(), 0f, "penultimate " + i);
            }
        }
    }
}
