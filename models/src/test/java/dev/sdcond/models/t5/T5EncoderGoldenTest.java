package dev.sdcond.models.t5;

import static dev.sdcond.models.Goldens.assertClose;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.sdcond.models.Compute;
import dev.sdcond.models.Goldens;
import dev.sdcond.models.InvalidInputException;
import dev.sdcond.models.Precision;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

/**
 * transformers' T5EncoderModel on goldens/t5 (tolerance 1e-4, float32): every hidden state at 256 tokens, the last at
 * 512; the F16 copy of the same weights (4.x-style config) and the sharded BF16 copy in the Flux folder give the
 * float32 goldens.
 */
class T5EncoderGoldenTest {
    private static final float ATOL = 1e-4f;

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"t5/t5-tiny", "t5/t5-tiny-fp16", "t5/flux-tiny/text_encoder_2"})
    void everyHiddenStateMatches(String folder) {
        try (T5EncoderModel t5 = T5EncoderModel.open(Goldens.path(folder), Compute.CPU);
                NDManager m = NDManager.newBaseManager()) {
            String g = "t5/t5-tiny/golden_t5.safetensors";
            long[][] ids = Goldens.readIds(m, g, "input_ids");
            T5EncoderModel.Output out = t5.forward(m, ids, 0, 1, 2, 3);
            for (int i = 0; i <= 3; i++) {
                assertClose(Goldens.read(m, g, "hidden_states." + i), out.hiddenStates().get(i), ATOL,
                        folder + " hidden_states." + i);
            }
            assertClose(Goldens.read(m, g, "last_hidden_state"), out.lastHiddenState(), ATOL, folder + " last");
            for (int i = 0; i <= 3; i++) { // early stop: only the blocks up to the state asked for run
                assertClose(Goldens.read(m, g, "hidden_states." + i), t5.hiddenState(m, ids, i), ATOL,
                        folder + " hidden_states." + i + " alone");
            }
            String g512 = "t5/t5-tiny/golden_t5_512.safetensors";
            NDArray last = t5.forward(m, Goldens.readIds(m, g512, "input_ids")).lastHiddenState();
            assertClose(Goldens.read(m, g512, "last_hidden_state"), last, ATOL, folder + " 512 tokens");
        }
    }

    /** Rows of their own lengths (6 and 8 ids, no padding; 77: ComfyUI's SD3 length). */
    @Test
    void unpaddedRowsMatch() {
        try (T5EncoderModel t5 = T5EncoderModel.open(Goldens.path("t5/t5-tiny"), Compute.CPU);
                NDManager m = NDManager.newBaseManager()) {
            String g = "t5/t5-tiny/golden_t5_unpadded.safetensors";
            for (String name : new String[] {"plain", "specials_in_text", "tags"}) {
                NDArray last = t5.forward(m, Goldens.readIds(m, g, "input_ids." + name)).lastHiddenState();
                assertClose(Goldens.read(m, g, "last_hidden_state." + name), last, ATOL, name);
            }
        }
    }

    /**
     * Computing in half precision: transformers measured max abs 9.2e-3 in float16 and 7.3e-2 in bfloat16 on these
     * inputs (goldens README); here the activations between products stay float32, so the errors are at most those.
     */
    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"float16", "bfloat16"})
    void halfPrecisionsStayWithinTheirMeasuredErrors(String dtype) {
        Precision p = Precision.parse(dtype);
        try (T5EncoderModel t5 = T5EncoderModel.open(Goldens.path("t5/flux-tiny/text_encoder_2"),
                new Compute(ai.djl.Device.cpu(), p)); NDManager m = NDManager.newBaseManager()) {
            String g = "t5/t5-tiny/golden_t5.safetensors";
            NDArray last = t5.forward(m, Goldens.readIds(m, g, "input_ids")).lastHiddenState();
            assertClose(Goldens.read(m, g, "last_hidden_state"), last, p == Precision.FLOAT16 ? 9.2e-3f : 7.3e-2f,
                    dtype);
            long params = 4128L * 32 + 3L * (4 * 32 * 32 + 3 * 64 * 32);
            long wo = 3L * 32 * 64;
            assertEquals(p == Precision.FLOAT16 ? 2 * (params - wo) + 4 * wo : 2 * params, t5.matrixBytes());
        }
    }

    /** A float16 product beyond float16's range is clamped to its largest value, as transformers clamps T5's. */
    @Test
    void float16ProductsAreClampedToTheFiniteRange() {
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray x = m.create(new float[] {300f, 300f, -300f, -300f}, new ai.djl.ndarray.types.Shape(2, 2));
            NDArray w = m.create(new float[] {200f, 200f}, new ai.djl.ndarray.types.Shape(1, 2))
                    .toType(ai.djl.ndarray.types.DataType.FLOAT16, false);
            float[] y = dev.sdcond.models.kernels.TorchScriptKernels.linearIn(x, w).toFloatArray(); // +-120000 in float16
            org.junit.jupiter.api.Assertions.assertArrayEquals(new float[] {65504f, -65504f}, y);
        }
    }

    @Test
    void sixteenBitCheckpointsStayInSixteenBitsUnderFloat32() {
        for (String folder : new String[] {"t5/t5-tiny-fp16", "t5/flux-tiny/text_encoder_2", "t5/t5-tiny"}) {
            try (T5EncoderModel t5 = T5EncoderModel.open(Goldens.path(folder), Compute.CPU)) {
                long params = 4128L * 32 + 3L * (4 * 32 * 32 + 3 * 64 * 32);
                assertEquals((folder.equals("t5/t5-tiny") ? 4 : 2) * params, t5.matrixBytes(), folder);
            }
        }
    }

    @Test
    void aV10ReluConfigIsRefusedByName() {
        InvalidInputException e = org.junit.jupiter.api.Assertions.assertThrows(InvalidInputException.class,
                () -> new T5Config(32, 8, 64, 4, 3, 100, 1e-6, 32, 128, "relu"));
        assertTrue(e.getMessage().contains("relu"), e.getMessage());
    }
}
