package dev.sdcond.ipadapter.image;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sdcond.models.Goldens;
import java.awt.Transparency;
import java.awt.color.ColorSpace;
import java.awt.image.BufferedImage;
import java.awt.image.ComponentColorModel;
import java.awt.image.DataBuffer;
import java.awt.image.IndexColorModel;
import java.awt.image.WritableRaster;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.zip.CRC32;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Crafted files: every mode Pillow's convert("RGB") handles, EXIF orientations, and broken files. */
class ImageLoaderTest {
    @TempDir
    Path tmp;

    private static byte[] png(BufferedImage img) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        assertTrue(ImageIO.write(img, "png", out));
        return out.toByteArray();
    }

    private Path write(String name, byte[] bytes) throws IOException {
        Path p = tmp.resolve(name);
        Files.write(p, bytes);
        return p;
    }

    /** A 3x2 RGB image whose pixel (x, y) is (10x + y, 100 + x, 200 + y). */
    private static BufferedImage rgb3x2() {
        BufferedImage img = new BufferedImage(3, 2, BufferedImage.TYPE_3BYTE_BGR);
        WritableRaster r = img.getRaster();
        for (int y = 0; y < 2; y++) {
            for (int x = 0; x < 3; x++) {
                r.setPixel(x, y, new int[] {10 * x + y, 100 + x, 200 + y});
            }
        }
        return img;
    }

    @Test
    void rgbPngSamplesAreKeptExactly() throws IOException {
        RgbImage img = ImageLoader.DEFAULT.load(write("a.png", png(rgb3x2())));
        assertEquals(3, img.width());
        assertEquals(2, img.height());
        assertEquals(21, img.get(2, 1, 0));
        assertEquals(102, img.get(2, 1, 1));
        assertEquals(201, img.get(2, 1, 2));
    }

    @Test
    void grayIsReplicatedWithoutGammaConversion() throws IOException {
        BufferedImage g = new BufferedImage(2, 1, BufferedImage.TYPE_BYTE_GRAY);
        g.getRaster().setPixel(0, 0, new int[] {50});
        g.getRaster().setPixel(1, 0, new int[] {200});
        RgbImage img = ImageLoader.DEFAULT.load(write("g.png", png(g)));
        assertArrayEquals(new byte[] {50, 50, 50, (byte) 200, (byte) 200, (byte) 200}, img.rgb());
    }

    @Test
    void sixteenBitGrayClipsLikePillowAndSixteenBitRgbKeepsTheHighByte() throws IOException {
        BufferedImage g = new BufferedImage(2, 1, BufferedImage.TYPE_USHORT_GRAY);
        g.getRaster().setPixel(0, 0, new int[] {100});
        g.getRaster().setPixel(1, 0, new int[] {40000});
        RgbImage img = ImageLoader.DEFAULT.load(write("g16.png", png(g)));
        assertEquals(100, img.get(0, 0, 0));
        assertEquals(255, img.get(1, 0, 1));
        ComponentColorModel cm = new ComponentColorModel(ColorSpace.getInstance(ColorSpace.CS_sRGB), false, false,
                Transparency.OPAQUE, DataBuffer.TYPE_USHORT);
        WritableRaster r = cm.createCompatibleWritableRaster(1, 1);
        r.setPixel(0, 0, new int[] {0x1234, 0xABCD, 0x00FF});
        RgbImage rgb16 = ImageLoader.DEFAULT.load(write("rgb16.png", png(new BufferedImage(cm, r, false, null))));
        assertArrayEquals(new byte[] {0x12, (byte) 0xAB, 0x00}, rgb16.rgb());
    }

    @Test
    void alphaIsDroppedOrComposited() throws IOException {
        BufferedImage a = new BufferedImage(1, 1, BufferedImage.TYPE_4BYTE_ABGR);
        a.getRaster().setPixel(0, 0, new int[] {200, 100, 50, 0}); // fully transparent, colour kept
        Path p = write("a.png", png(a));
        assertArrayEquals(new byte[] {(byte) 200, 100, 50}, ImageLoader.DEFAULT.load(p).rgb());
        assertArrayEquals(new byte[] {(byte) 255, (byte) 255, (byte) 255},
                ImageLoader.DEFAULT.withAlpha(AlphaMode.over(0xFFFFFF)).load(p).rgb());
        // gray + alpha
        ComponentColorModel la = new ComponentColorModel(ColorSpace.getInstance(ColorSpace.CS_GRAY), true, false,
                Transparency.TRANSLUCENT, DataBuffer.TYPE_BYTE);
        WritableRaster r = la.createCompatibleWritableRaster(1, 1);
        r.setPixel(0, 0, new int[] {77, 128});
        RgbImage gray = ImageLoader.DEFAULT.load(write("la.png", png(new BufferedImage(la, r, false, null))));
        assertArrayEquals(new byte[] {77, 77, 77}, gray.rgb());
    }

    @Test
    void paletteWithTransparencyGivesThePaletteColours() throws IOException {
        byte[] reds = {(byte) 255, 0};
        byte[] greens = {0, (byte) 128};
        byte[] blues = {0, (byte) 255};
        IndexColorModel icm = new IndexColorModel(8, 2, reds, greens, blues, 0); // index 0 transparent
        BufferedImage p = new BufferedImage(2, 1, BufferedImage.TYPE_BYTE_INDEXED, icm);
        p.getRaster().setPixel(0, 0, new int[] {0});
        p.getRaster().setPixel(1, 0, new int[] {1});
        RgbImage img = ImageLoader.DEFAULT.load(write("p.png", png(p)));
        assertArrayEquals(new byte[] {(byte) 255, 0, 0, 0, (byte) 128, (byte) 255}, img.rgb());
    }

    @Test
    void gifFirstFrameAndBmp() throws IOException {
        ByteArrayOutputStream gif = new ByteArrayOutputStream();
        ImageIO.write(rgb3x2(), "gif", gif);
        RgbImage g = ImageLoader.DEFAULT.load(write("a.gif", gif.toByteArray()));
        assertEquals(3, g.width());
        ByteArrayOutputStream bmp = new ByteArrayOutputStream();
        ImageIO.write(rgb3x2(), "bmp", bmp);
        RgbImage b = ImageLoader.DEFAULT.load(write("a.bmp", bmp.toByteArray()));
        assertArrayEquals(ImageLoader.DEFAULT.load(write("a.png", png(rgb3x2()))).rgb(), b.rgb());
    }

    /** A PNG with an eXIf chunk holding the orientation, inserted after IHDR. */
    private static byte[] withExif(byte[] png, int orientation) {
        ByteBuffer tiff = ByteBuffer.allocate(26);
        tiff.put(new byte[] {'M', 'M', 0, 42}).putInt(8).putShort((short) 1);
        tiff.putShort((short) 0x0112).putShort((short) 3).putInt(1).putShort((short) orientation).putShort((short) 0);
        tiff.putInt(0);
        byte[] data = tiff.array();
        ByteBuffer chunk = ByteBuffer.allocate(12 + data.length);
        chunk.putInt(data.length).put("eXIf".getBytes(StandardCharsets.ISO_8859_1)).put(data);
        CRC32 crc = new CRC32();
        crc.update(chunk.array(), 4, 4 + data.length);
        chunk.putInt((int) crc.getValue());
        int afterIhdr = 8 + 12 + 13;
        byte[] out = new byte[png.length + chunk.capacity()];
        System.arraycopy(png, 0, out, 0, afterIhdr);
        System.arraycopy(chunk.array(), 0, out, afterIhdr, chunk.capacity());
        System.arraycopy(png, afterIhdr, out, afterIhdr + chunk.capacity(), png.length - afterIhdr);
        return out;
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 2, 3, 4, 5, 6, 7, 8})
    void everyExifOrientationIsApplied(int orientation) throws IOException {
        RgbImage img = ImageLoader.DEFAULT.load(write("o.png", withExif(png(rgb3x2()), orientation)));
        // where the source pixel (0,0) (red = 0) and (2,0) (red = 20) end up, per Pillow's exif_transpose
        int[][] expectSize = {null, {3, 2}, {3, 2}, {3, 2}, {3, 2}, {2, 3}, {2, 3}, {2, 3}, {2, 3}};
        int[][] cornerOf00 = {null, {0, 0}, {2, 0}, {2, 1}, {0, 1}, {0, 0}, {1, 0}, {1, 2}, {0, 2}};
        int[][] cornerOf20 = {null, {2, 0}, {0, 0}, {0, 1}, {2, 1}, {0, 2}, {1, 2}, {1, 0}, {0, 0}};
        assertEquals(expectSize[orientation][0], img.width(), "width");
        assertEquals(expectSize[orientation][1], img.height(), "height");
        assertEquals(0, img.get(cornerOf00[orientation][0], cornerOf00[orientation][1], 0), "pixel (0,0)");
        assertEquals(20, img.get(cornerOf20[orientation][0], cornerOf20[orientation][1], 0), "pixel (2,0)");
    }

    @Test
    void truncatedFilesAreErrors() throws IOException {
        byte[] chelsea = Files.readAllBytes(Goldens.path("images/chelsea.png"));
        Path cut = write("cut.png", Arrays.copyOf(chelsea, chelsea.length / 2));
        ImageLoadException e = assertThrows(ImageLoadException.class, () -> ImageLoader.DEFAULT.load(cut));
        assertTrue(e.getMessage().startsWith(cut.toString()) && e.getMessage().contains("truncated"), e.getMessage());
        byte[] jpeg = Files.readAllBytes(Goldens.path("images/chelsea_q90.jpg"));
        Path cutJpeg = write("cut.jpg", Arrays.copyOf(jpeg, jpeg.length / 2));
        assertThrows(ImageLoadException.class, () -> ImageLoader.DEFAULT.load(cutJpeg));
    }

    @Test
    void decompressionBombIsRefusedBeforeDecoding() throws IOException {
        byte[] png = png(rgb3x2());
        ByteBuffer b = ByteBuffer.wrap(png);
        b.putInt(16, 100_000).putInt(20, 100_000); // IHDR width and height
        CRC32 crc = new CRC32();
        crc.update(png, 12, 17);
        b.putInt(29, (int) crc.getValue());
        Path bomb = write("bomb.png", png);
        ImageLoadException e = assertThrows(ImageLoadException.class, () -> ImageLoader.DEFAULT.load(bomb));
        assertTrue(e.getMessage().contains("over the limit"), e.getMessage());
        Path ok = write("ok.png", png(rgb3x2()));
        assertThrows(ImageLoadException.class, () -> ImageLoader.DEFAULT.withMaxPixels(5).load(ok));
    }

    @Test
    void notAnImage() throws IOException {
        Path p = write("x.png", "hello".getBytes(StandardCharsets.UTF_8));
        assertTrue(assertThrows(ImageLoadException.class, () -> ImageLoader.DEFAULT.load(p)).getMessage()
                .contains("not a supported image"));
    }

    private static Path resource(String name) {
        try {
            return Path.of(ImageLoaderTest.class.getResource("/images/" + name).toURI());
        } catch (java.net.URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void cmykJpegUsesPillowsConversion() {
        // ImageMagick wrote cmyk(51, 103, 153, 26) with an Adobe marker; Pillow: nk - c * nk / 255 with nk = 255 - k
        RgbImage img = ImageLoader.DEFAULT.load(resource("cmyk.jpg"));
        int[] expected = {183, 136, 91};
        for (int c = 0; c < 3; c++) {
            assertTrue(Math.abs(img.get(5, 5, c) - expected[c]) <= 1, "channel " + c + ": " + img.get(5, 5, c));
        }
    }

    @Test
    void webpLosslessDecodesExactly() {
        RgbImage webp = ImageLoader.DEFAULT.load(resource("grad.webp"));
        RgbImage png = ImageLoader.DEFAULT.load(resource("grad.png"));
        assertArrayEquals(png.rgb(), webp.rgb());
    }

    @Test
    void aWebpCutShortIsRefusedAsLibwebpRefusesIt() throws IOException {
        byte[] whole = Files.readAllBytes(resource("grad.webp")); // 66 bytes; its RIFF header says so
        for (int n : new int[] {54, 57, 60, 63, 65}) { // Java's decoder read these as images, the end as zeros
            Path cut = Files.write(tmp.resolve("cut" + n + ".webp"), Arrays.copyOf(whole, n));
            ImageLoadException e = assertThrows(ImageLoadException.class, () -> ImageLoader.DEFAULT.load(cut));
            assertTrue(e.getMessage().contains("cut" + n + ".webp") && e.getMessage().contains(
                    "corrupt or truncated WebP: its header says 66 bytes, the file has " + n), e.getMessage());
        }
        Path longer = Files.write(tmp.resolve("longer.webp"), Arrays.copyOf(whole, 80)); // trailing bytes: as libwebp
        assertArrayEquals(ImageLoader.DEFAULT.load(resource("grad.webp")).rgb(), ImageLoader.DEFAULT.load(longer).rgb());
    }

    @Test
    void aDecoderFailureWithoutAMessageStillSaysWhat() {
        assertEquals("the data ends too early", ImageLoader.why(new java.io.EOFException()));
        assertEquals("the decoder failed: ArrayIndexOutOfBoundsException",
                ImageLoader.why(new ArrayIndexOutOfBoundsException()));
        assertEquals("Huffman: bad", ImageLoader.why(new IOException("Huffman: bad")));
    }

    @Test
    void animatedGifGivesTheFirstFrame() {
        RgbImage img = ImageLoader.DEFAULT.load(resource("anim.gif"));
        assertEquals(4, img.width());
        assertEquals(255, img.get(0, 0, 0));
        assertEquals(0, img.get(0, 0, 2));
    }
}
