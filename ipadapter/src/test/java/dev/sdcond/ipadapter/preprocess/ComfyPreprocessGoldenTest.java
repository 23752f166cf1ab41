package dev.sdcond.ipadapter.preprocess;

import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import dev.sdcond.ipadapter.image.ImageLoader;
import dev.sdcond.ipadapter.image.RgbImage;
import dev.sdcond.models.Goldens;
import org.junit.jupiter.api.Test;

/**
 * {@code --mode comfy} / {@code comfy-squash} against ComfyUI's own {@code clip_preprocess} (torch 2.13): the README's
 * tolerance is one 8-bit level (0.0152 after normalisation) at most and a mean error under 1e-3.
 */
class ComfyPreprocessGoldenTest {
    private static final String[] IMAGES = {"chelsea.png", "chelsea_q90.jpg", "coffee.png", "diagram_rgba.png",
        "gray_small.png", "rgba_checker.png"};

    @Test
    void matchesComfyUIOnEveryGoldenImage() {
        try (NDManager m = NDManager.newBaseManager()) {
            for (ResizeMode mode : new ResizeMode[] {ResizeMode.COMFY, ResizeMode.COMFY_SQUASH}) {
                for (String file : IMAGES) {
                    String name = file.substring(0, file.lastIndexOf('.'));
                    String key = "comfy." + (mode == ResizeMode.COMFY ? "crop." : "squash.") + name;
                    float[] expected = Goldens.read(m, "images/comfy_pixel_values.safetensors", key).toFloatArray();
                    RgbImage img = ImageLoader.DEFAULT.load(Goldens.path("images/" + file));
                    float[] actual = ClipImageProcessor.hf(224).withMode(mode).pixelValues(img);
                    double max = 0;
                    double sum = 0;
                    for (int i = 0; i < expected.length; i++) {
                        double d = Math.abs(expected[i] - actual[i]);
                        max = Math.max(max, d);
                        sum += d;
                    }
                    double mean = sum / expected.length;
                    assertTrue(max <= 0.0152 && mean < 1e-3, key + ": max " + max + ", mean " + mean);
                }
            }
        }
    }

    @Test
    void comfyDiffersFromPillowAsTheReadmeSays() {
        // the two paths are different algorithms: on a photo they differ by more than the comfy tolerance somewhere
        RgbImage img = ImageLoader.DEFAULT.load(Goldens.path("images/chelsea.png"));
        float[] comfy = ClipImageProcessor.hf(224).withMode(ResizeMode.COMFY).pixelValues(img);
        float[] pil = ClipImageProcessor.hf(224).pixelValues(img);
        double max = 0;
        for (int i = 0; i < comfy.length; i++) {
            max = Math.max(max, Math.abs(comfy[i] - pil[i]));
        }
        assertTrue(max > 0.0152, "max " + max);
    }
}
