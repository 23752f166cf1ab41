package dev.sdcond.ipadapter;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import ai.djl.ndarray.NDManager;
import dev.sdcond.models.Goldens;
import java.util.List;
import org.junit.jupiter.api.Test;

/** {@link ImageConditioning}: plain results that match the goldens (the same images as ImageEncoderTest). */
class ImageConditioningTest {
    private static final String G = "clip-vision-tiny-h/golden_vision.safetensors";

    @Test
    void plainEmbeddingsMatchTheGoldens() {
        ImageConditioning.Result r;
        try (ImageConditioning enc = ImageConditioning.open(Goldens.path("clip-vision-tiny-h"))) {
            r = enc.encode(List.of("chelsea", "coffee", "diagram_rgba").stream()
                    .map(n -> Goldens.path("images/" + n + ".png")).toList());
        }
        assertArrayEquals(new long[] {3, 24}, r.imageEmbeds().shape());
        assertArrayEquals(new long[] {3, 257, 32}, r.hiddenStates().shape());
        try (NDManager m = NDManager.newBaseManager()) {
            Goldens.assertClose(Goldens.read(m, G, "image_embeds").get("0:3"),
                    m.create(r.imageEmbeds().values()).reshape(3, 24), 1e-3f, "image_embeds");
            Goldens.assertClose(Goldens.read(m, G, "hidden_states.3").get("0:3"),
                    m.create(r.hiddenStates().values()).reshape(3, 257, 32), 1e-3f, "penultimate");
            Goldens.assertClose(Goldens.read(m, G, "image_embeds").get("3:4").tile(new long[] {3, 1}),
                    m.create(r.uncondImageEmbeds().values()).reshape(3, 24), 1e-4f, "zero-pixel uncond");
        }
    }
}
