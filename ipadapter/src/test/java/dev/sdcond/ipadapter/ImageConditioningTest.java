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

    @Test
    void filesBytesBufferedImagesAndRgbGiveTheSameBitsAndTheNegativeIsEncodedOnce() throws Exception {
        List<java.nio.file.Path> files = List.of(Goldens.path("images/chelsea.png"), Goldens.path("images/coffee.png"));
        ImageRequest request = ImageRequest.builder().setModel(Goldens.path("clip-vision-tiny-h").toString())
                .optUncond("zero-pixels").build();
        try (ImageConditioning enc = ImageConditioning.open(request)) {
            ImageConditioning.Result fromFiles = enc.encode(files);
            List<byte[]> bytes = new java.util.ArrayList<>();
            List<java.awt.image.BufferedImage> decoded = new java.util.ArrayList<>();
            for (java.nio.file.Path f : files) {
                bytes.add(java.nio.file.Files.readAllBytes(f));
                decoded.add(javax.imageio.ImageIO.read(f.toFile()));
            }
            for (ImageConditioning.Result r : List.of(enc.encodeBytes(bytes), enc.encodeImages(decoded),
                    enc.encodeRgb(files.stream().map(dev.sdcond.ipadapter.image.ImageLoader.DEFAULT::load).toList()))) {
                assertArrayEquals(fromFiles.imageEmbeds().values(), r.imageEmbeds().values());
                assertArrayEquals(fromFiles.hiddenStates().values(), r.hiddenStates().values());
                // the later calls reuse the negative the first encoded: the same values, one image or two
                assertArrayEquals(fromFiles.uncondImageEmbeds().values(), r.uncondImageEmbeds().values());
                assertArrayEquals(fromFiles.uncondHiddenStates().values(), r.uncondHiddenStates().values());
            }
            float[] one = enc.encode(files.subList(0, 1)).uncondImageEmbeds().values();
            assertArrayEquals(java.util.Arrays.copyOf(fromFiles.uncondImageEmbeds().values(), 24), one);
            enc.close();
            org.junit.jupiter.api.Assertions.assertThrows(dev.sdcond.models.InvalidInputException.class,
                    () -> enc.encode(files));
        }
        // a fresh instance, one image: its own negative, encoded in its batch, the same bits as the cached one
        try (ImageConditioning fresh = ImageConditioning.open(request)) {
            ImageConditioning.Result r = fresh.encode(files.subList(1, 2));
            try (ImageConditioning again = ImageConditioning.open(request)) {
                assertArrayEquals(concat(r.uncondHiddenStates().values(), r.uncondHiddenStates().values()),
                        again.encode(files).uncondHiddenStates().values());
            }
        }
        org.junit.jupiter.api.Assertions.assertThrows(dev.sdcond.models.InvalidInputException.class,
                () -> ImageRequest.builder().setModel("x").optUncond("/no/such/negative.png").build());
    }

    private static float[] concat(float[] a, float[] b) {
        float[] out = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }
}
