package dev.sdcond.ipadapter;

import static dev.sdcond.models.Goldens.assertClose;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.sdcond.ipadapter.image.ImageLoader;
import dev.sdcond.ipadapter.image.RgbImage;
import dev.sdcond.models.Compute;
import dev.sdcond.models.Goldens;
import dev.sdcond.models.checkpoint.HfCheckpoint;
import dev.sdcond.models.ModelMismatchException;
import dev.sdcond.models.clip.ClipVisionModel;
import dev.sdcond.models.safetensors.SafetensorsFile;
import dev.sdcond.models.safetensors.SafetensorsWriter;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ImageEncoderTest {
    private static final String G = "clip-vision-tiny-h/golden_vision.safetensors";
    private static HfCheckpoint ckpt;
    private static ClipVisionModel tower;
    private static ImageEncoder encoder;

    @TempDir
    Path tmp;

    @BeforeAll
    static void load() {
        ckpt = HfCheckpoint.open(Goldens.path("clip-vision-tiny-h"));
        tower = ckpt.loadVision(Compute.CPU);
        encoder = new ImageEncoder(tower);
    }

    @AfterAll
    static void close() {
        tower.close();
        ckpt.close();
    }

    private static List<RgbImage> images() {
        return List.of("chelsea", "coffee", "diagram_rgba").stream()
                .map(n -> ImageLoader.DEFAULT.load(Goldens.path("images/" + n + ".png"))).toList();
    }

    @Test
    void endToEndFromPngFilesMatchesTheGoldens() {
        try (NDManager m = NDManager.newBaseManager()) {
            ImageEmbeddings e = encoder.encode(m, images(), -2, new Uncond.ZeroPixels());
            NDArray golden = Goldens.read(m, G, "image_embeds");
            assertClose(golden.get("0:3"), e.imageEmbeds(), 1e-3f, "image_embeds from PNG");
            assertClose(Goldens.read(m, G, "hidden_states.3").get("0:3"), e.hiddenStates(), 1e-3f, "penultimate from PNG");
            assertArrayEquals(new long[] {3, 257, 32}, e.hiddenStates().getShape().getShape());
            // the golden's 4th input is zero pixel_values: diffusers' Plus uncond
            assertClose(golden.get("3:4").tile(new long[] {3, 1}), e.uncondImageEmbeds(), 1e-4f, "uncond embeds");
            assertClose(Goldens.read(m, G, "hidden_states.3").get("3:4").tile(new long[] {3, 1, 1}),
                    e.uncondHiddenStates(), 1e-4f, "uncond penultimate");
            assertClose(Goldens.read(m, G, "pixel_values").get("0:3"), e.pixelValues(), 0.0152f, "pixel values");
        }
    }

    @Test
    void zerosUncondAndNoUncond() {
        try (NDManager m = NDManager.newBaseManager()) {
            ImageEmbeddings z = encoder.encode(m, images().subList(0, 1), -2, new Uncond.Zeros());
            assertEquals(0f, z.uncondImageEmbeds().abs().max().getFloat());
            assertEquals(z.imageEmbeds().getShape(), z.uncondImageEmbeds().getShape());
            ImageEmbeddings none = encoder.encode(m, images().subList(0, 1), -2, null);
            assertNull(none.uncondImageEmbeds());
            assertClose(z.imageEmbeds(), none.imageEmbeds(), 0f, "uncond does not change the conditional outputs");
            // the last layer's hidden states asked for: that layer runs whole, not for the class token alone, and its
            // products of 257 rows round differently from those of one
            ImageEmbeddings last = encoder.encode(m, images().subList(0, 1), -1, null);
            assertClose(z.imageEmbeds(), last.imageEmbeds(), 1e-6f, "image_embeds, whole last layer");
        }
    }

    @Test
    void blackImageUncondIsTheNormalisedBlackImage() {
        try (NDManager m = NDManager.newBaseManager()) {
            RgbImage black = RgbImage.filled(224, 224, 0, 0, 0);
            ImageEmbeddings direct = encoder.encode(m, List.of(black), -2, null);
            ImageEmbeddings viaUncond = encoder.encode(m, images().subList(0, 1), -2, new Uncond.Black());
            assertClose(direct.imageEmbeds(), viaUncond.uncondImageEmbeds(), 1e-5f, "black uncond");
            RgbImage neg = images().get(1);
            ImageEmbeddings user = encoder.encode(m, images().subList(0, 1), -2, new Uncond.Image(neg));
            ImageEmbeddings negDirect = encoder.encode(m, List.of(neg), -2, null);
            assertClose(negDirect.hiddenStates(), user.uncondHiddenStates(), 1e-5f, "negative image uncond");
        }
    }

    @Test
    void batchedImagesEqualSingleOnes() {
        try (NDManager m = NDManager.newBaseManager()) {
            ImageEmbeddings batch = encoder.encode(m, images(), -2, null);
            for (int i = 0; i < 3; i++) {
                ImageEmbeddings one = encoder.encode(m, List.of(images().get(i)), -2, null);
                assertClose(one.imageEmbeds(), batch.imageEmbeds().get(i + ":" + (i + 1)), 1e-5f, "image " + i);
            }
        }
    }

    @Test
    void ipAdapterCompatibility() throws IOException {
        Path plus = tmp.resolve("ip-adapter-plus.safetensors");
        new SafetensorsWriter().addFloats("image_proj.proj_in.weight", new long[] {8, 32}, new float[256]).write(plus, false);
        Path plain = tmp.resolve("ip-adapter.safetensors");
        new SafetensorsWriter().addFloats("image_proj.proj.weight", new long[] {4, 1024}, new float[4096]).write(plain, false);
        try (SafetensorsFile p = SafetensorsFile.open(plus); SafetensorsFile q = SafetensorsFile.open(plain)) {
            IpAdapterCheck okPlus = IpAdapterCheck.of(p);
            assertTrue(okPlus.plus());
            okPlus.requireFits(tower, "ip-adapter-plus");
            IpAdapterCheck needsH = IpAdapterCheck.of(q);
            ModelMismatchException e = assertThrows(ModelMismatchException.class, () -> needsH.requireFits(tower, "ip-adapter"));
            assertTrue(e.getMessage().contains("ViT-H/14") && e.getMessage().contains("1024"), e.getMessage());
        }
        try (SafetensorsFile notAdapter = SafetensorsFile.open(Goldens.path("clip-vision-tiny-h/model.safetensors"))) {
            assertThrows(ModelMismatchException.class, () -> IpAdapterCheck.of(notAdapter));
        }
    }

    @Test
    void eightThreadsGiveTheSameResultsAsOne() throws Exception {
        List<RgbImage> imgs = images();
        List<float[]> single = new java.util.ArrayList<>();
        try (NDManager m = NDManager.newBaseManager()) {
            for (RgbImage i : imgs) {
                single.add(encoder.encode(m, List.of(i), -2, new Uncond.Black()).hiddenStates().toFloatArray());
            }
        }
        java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(8);
        try {
            List<java.util.concurrent.Future<float[]>> futures = new java.util.ArrayList<>();
            for (int i = 0; i < 24; i++) {
                RgbImage img = imgs.get(i % imgs.size());
                futures.add(pool.submit(() -> {
                    try (NDManager m = NDManager.newBaseManager()) {
                        return encoder.encode(m, List.of(img), -2, new Uncond.Black()).hiddenStates().toFloatArray();
                    }
                }));
            }
            for (int i = 0; i < futures.size(); i++) {
                assertArrayEquals(single.get(i % imgs.size()), futures.get(i).get());
            }
        } finally {
            pool.shutdown();
        }
    }

    @Test
    void repeatedEncodesLeaveNothingBehind() {
        RgbImage img = images().get(0);
        try (NDManager root = NDManager.newBaseManager()) {
            for (int i = 0; i < 200; i++) {
                try (NDManager call = root.newSubManager()) {
                    encoder.encode(call, List.of(img), -2, new Uncond.ZeroPixels());
                }
            }
            assertEquals(0, root.getManagedArrays().size());
        }
    }
}
