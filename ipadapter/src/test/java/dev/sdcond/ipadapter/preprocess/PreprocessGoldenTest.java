package dev.sdcond.ipadapter.preprocess;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.sdcond.ipadapter.image.ImageLoader;
import dev.sdcond.ipadapter.image.RgbImage;
import dev.sdcond.models.Goldens;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Preprocessing against the classic CLIPImageProcessor on Pillow ({@code pil.*}). */
class PreprocessGoldenTest {
    private static final String PV = "images/pixel_values.safetensors";
    /** One 8-bit level after normalisation, and the mean bound, from the goldens' README. */
    private static final double MAX_ERR = 0.0152;
    private static final double MEAN_ERR = 1e-3;

    static double[] errors(float[] expected, float[] actual) {
        double max = 0;
        double sum = 0;
        for (int i = 0; i < expected.length; i++) {
            double d = Math.abs(expected[i] - actual[i]);
            max = Math.max(max, d);
            sum += d;
        }
        return new double[] {max, sum / expected.length};
    }

    @ParameterizedTest
    @ValueSource(strings = {"chelsea", "coffee", "diagram_rgba", "gray_small", "rgba_checker"})
    void pngMatchesPillow(String name) {
        try (NDManager m = NDManager.newBaseManager()) {
            RgbImage img = ImageLoader.DEFAULT.load(Goldens.path("images/" + name + ".png"));
            float[] actual = ClipImageProcessor.hf(224).pixelValues(img);
            NDArray expected = Goldens.read(m, PV, "pil." + name);
            assertArrayEquals(new long[] {3, 224, 224}, expected.getShape().getShape());
            double[] e = errors(expected.toFloatArray(), actual);
            System.out.printf("%s: max %.6f mean %.8f%n", name, e[0], e[1]);
            assertTrue(e[0] <= MAX_ERR, name + " max abs error " + e[0]);
            assertTrue(e[1] < MEAN_ERR, name + " mean abs error " + e[1]);
        }
    }

    @org.junit.jupiter.api.Test
    void jpegIsCloseInTheMean() {
        try (NDManager m = NDManager.newBaseManager()) {
            RgbImage img = ImageLoader.DEFAULT.load(Goldens.path("images/chelsea_q90.jpg"));
            float[] d; // Pillow's decode, HWC uint8
            try (var f = dev.sdcond.models.safetensors.SafetensorsFile.open(Goldens.path(PV))) {
                d = f.load("decoded.chelsea_q90_jpg", m, ai.djl.ndarray.types.DataType.UINT8)
                        .toType(ai.djl.ndarray.types.DataType.FLOAT32, false).toFloatArray();
            }
            double sum = 0;
            for (int i = 0; i < d.length; i++) {
                sum += Math.abs(d[i] - (img.rgb()[i] & 0xff));
            }
            double decodeMean = sum / d.length;
            double[] e = errors(Goldens.read(m, PV, "pil.chelsea_q90_jpg").toFloatArray(),
                    ClipImageProcessor.hf(224).pixelValues(img));
            System.out.printf("jpeg: decode mean %.4f levels; pixel_values max %.5f mean %.6f%n", decodeMean, e[0], e[1]);
            assertTrue(decodeMean < 0.5, "decoder mean abs difference " + decodeMean + " levels");
            assertTrue(e[1] < MEAN_ERR, "pixel_values mean abs error " + e[1]);
        }
    }
}
