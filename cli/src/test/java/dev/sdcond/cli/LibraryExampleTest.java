package dev.sdcond.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.sdcond.conditioning.EncodeOptions;
import dev.sdcond.conditioning.LoadedTextModel;
import dev.sdcond.conditioning.TextConditioner;
import dev.sdcond.conditioning.TextModels;
import dev.sdcond.ipadapter.ImageEmbeddings;
import dev.sdcond.ipadapter.ImageEncoder;
import dev.sdcond.ipadapter.LoadedVisionModel;
import dev.sdcond.ipadapter.Uncond;
import dev.sdcond.ipadapter.VisionModels;
import dev.sdcond.ipadapter.image.ImageLoader;
import dev.sdcond.models.Compute;
import dev.sdcond.models.Goldens;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The README's library example, on the tiny goldens (same calls, smaller models). */
class LibraryExampleTest {
    @Test
    void readmeExampleRuns() {
        String textModel = Goldens.path("clip-text-tiny-b").toString();
        try (LoadedTextModel model = TextModels.open(List.of(textModel, textModel), Compute.CPU);
                NDManager manager = NDManager.newBaseManager()) {
            TextConditioner.Result r = model.conditioner().encode(manager, "a (red:1.2) fox", "blurry", EncodeOptions.DEFAULT);
            NDArray hidden = r.positive().hiddenStates();
            NDArray pooled = r.positive().pooled();
            assertArrayEquals(new long[] {1, 77, 80}, hidden.getShape().getShape());
            assertArrayEquals(new long[] {1, 24}, pooled.getShape().getShape());
        }
        try (LoadedVisionModel vision = VisionModels.open(Goldens.path("clip-vision-tiny-h").toString(), Compute.CPU);
                NDManager manager = NDManager.newBaseManager()) {
            ImageEncoder encoder = new ImageEncoder(vision.tower());
            ImageEmbeddings e = encoder.encode(manager,
                    List.of(ImageLoader.DEFAULT.load(Goldens.path("images/chelsea_q90.jpg"))), -2, new Uncond.ZeroPixels());
            assertArrayEquals(new long[] {1, 24}, e.imageEmbeds().getShape().getShape());
            assertArrayEquals(new long[] {1, 257, 32}, e.hiddenStates().getShape().getShape());
        }
    }
}
