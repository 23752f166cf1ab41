package dev.sdcond.ipadapter.preprocess;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.sdcond.ipadapter.image.RgbImage;
import org.junit.jupiter.api.Test;

/** squash, pad and the crop positions, on images whose content shows where they were cut. */
class ModesTest {
    /** A w x h image: left half red, right half blue; the top row is green. */
    private static RgbImage halves(int w, int h) {
        byte[] px = new byte[w * h * 3];
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                int i = (y * w + x) * 3;
                if (y == 0) {
                    px[i + 1] = (byte) 255;
                } else if (x < w / 2) {
                    px[i] = (byte) 255;
                } else {
                    px[i + 2] = (byte) 255;
                }
            }
        }
        return new RgbImage(w, h, px);
    }

    @Test
    void squashKeepsEverythingAndChangesTheAspect() {
        RgbImage img = halves(448, 100);
        RgbImage sq = ClipImageProcessor.hf(224).withMode(ResizeMode.SQUASH).square(img);
        assertArrayEquals(PillowResize.resize(img, 224, 224).rgb(), sq.rgb());
        assertEquals(255, sq.get(10, 112, 0), "left stays red");
        assertEquals(255, sq.get(213, 112, 2), "right stays blue");
    }

    @Test
    void padLetterboxesWithBlack() {
        RgbImage sq = ClipImageProcessor.hf(224).withMode(ResizeMode.PAD).square(halves(448, 100));
        for (int c = 0; c < 3; c++) {
            assertEquals(0, sq.get(112, 5, c), "top band black");
            assertEquals(0, sq.get(112, 218, c), "bottom band black");
        }
        assertEquals(255, sq.get(30, 112, 0), "content in the middle");
    }

    @Test
    void cropPositionsPickTheSide() {
        RgbImage wide = halves(448, 224);
        ClipImageProcessor p = ClipImageProcessor.hf(224);
        assertEquals(255, p.withCrop(CropPosition.LEFT).square(wide).get(100, 100, 0), "left crop is red");
        assertEquals(255, p.withCrop(CropPosition.RIGHT).square(wide).get(100, 100, 2), "right crop is blue");
        RgbImage center = p.square(wide);
        assertEquals(255, center.get(10, 100, 0));
        assertEquals(255, center.get(213, 100, 2));
        RgbImage tall = halves(224, 448);
        assertEquals(255, p.withCrop(CropPosition.TOP).square(tall).get(50, 0, 1), "top crop keeps the green row");
        assertEquals(0, p.withCrop(CropPosition.BOTTOM).square(tall).get(50, 0, 1), "bottom crop loses it");
    }

    @Test
    void upscalingSmallImagesWorks() {
        RgbImage tiny = halves(3, 2);
        RgbImage sq = ClipImageProcessor.hf(224).square(tiny);
        assertEquals(224, sq.width());
        assertEquals(224, sq.height());
    }
}
