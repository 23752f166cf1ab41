package dev.sdcond.models.clip;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import dev.sdcond.models.Compute;
import dev.sdcond.models.Goldens;
import dev.sdcond.models.checkpoint.HfCheckpoint;
import dev.sdcond.models.Precision;
import ai.djl.Device;
import org.junit.jupiter.api.Test;

/**
 * The opt-in bfloat16 mode (products in bfloat16, residual stream and norms in float32) against float32 on the same
 * inputs: float32 outputs (no bfloat16 tensor leaves a layer) within bfloat16's precision.
 */
class BFloat16Test {
    private static final Compute BF16 = new Compute(Device.cpu(), Precision.BFLOAT16);

    @Test
    void textTowerIsCloseToFloat32() {
        String g = "clip-tiny-a/golden_text.safetensors";
        try (HfCheckpoint ckpt = HfCheckpoint.open(Goldens.path("clip-tiny-a"));
                ClipTextModel f32 = ckpt.loadText(Compute.CPU);
                ClipTextModel bf16 = ckpt.loadText(BF16);
                NDManager m = NDManager.newBaseManager()) {
            long[][] ids = Goldens.readIds(m, g, "input_ids");
            ClipOutput a = f32.forward(m, ids, OutputRequest.everything());
            ClipOutput b = bf16.forward(m, ids, OutputRequest.everything());
            for (int i = 0; i <= f32.numLayers(); i++) {
                assertClose(a.hiddenState(i), b.hiddenState(i), "hidden_states." + i);
            }
            assertClose(a.lastHiddenState(), b.lastHiddenState(), "last_hidden_state");
            assertClose(a.projected(), b.projected(), "text_embeds");
        }
    }

    @Test
    void visionTowerIsCloseToFloat32() {
        String g = "clip-vision-tiny-h/golden_vision.safetensors";
        try (HfCheckpoint ckpt = HfCheckpoint.open(Goldens.path("clip-vision-tiny-h"));
                ClipVisionModel f32 = ckpt.loadVision(Compute.CPU);
                ClipVisionModel bf16 = ckpt.loadVision(BF16);
                NDManager m = NDManager.newBaseManager()) {
            NDArray px = Goldens.read(m, g, "pixel_values");
            ClipOutput a = f32.forward(m, px, OutputRequest.hiddenStates(-2).withPooled());
            ClipOutput b = bf16.forward(m, px, OutputRequest.hiddenStates(-2).withPooled());
            assertClose(a.hiddenState(-2), b.hiddenState(-2), "penultimate");
            assertClose(a.projected(), b.projected(), "image_embeds");
        }
    }

    /**
     * bfloat16 keeps 8 bits of mantissa (0.4% per rounding); over a tower's layers the differences settle at about 1%
     * of the values. Checked: the mean absolute difference within 2% of the mean absolute value, and no element off by
     * more than 5% of the tensor's largest value.
     */
    private static void assertClose(NDArray f32, NDArray bf16, String what) {
        assertEquals(DataType.FLOAT32, bf16.getDataType(), what + " dtype");
        float[] x = f32.toFloatArray();
        float[] y = bf16.toFloatArray();
        double sumDiff = 0;
        double sumAbs = 0;
        double max = 0;
        double scale = 0;
        for (int i = 0; i < x.length; i++) {
            double d = Math.abs(x[i] - y[i]);
            sumDiff += d;
            sumAbs += Math.abs(x[i]);
            max = Math.max(max, d);
            scale = Math.max(scale, Math.abs(x[i]));
        }
        assertTrue(sumDiff <= 0.02 * sumAbs, what + ": mean |bf16 - f32| " + sumDiff / x.length + ", mean |f32| "
                + sumAbs / x.length);
        assertTrue(max <= 0.05 * scale, what + ": max |bf16 - f32| " + max + " for values up to " + scale);
    }
}
