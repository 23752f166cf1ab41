package dev.sdcond.ipadapter.image;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.CRC32;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Limits checked before an image is read, and PNG chunk checks as Pillow makes them. */
class ImageLimitsTest {
    @TempDir
    Path tmp;

    private static byte[] png(int w, int h) throws IOException {
        BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        img.setRGB(0, 0, 0x123456);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ImageIO.write(img, "png", out);
        return out.toByteArray();
    }

    /** The byte offset of the first chunk of this type. */
    private static int chunk(byte[] png, String type) {
        int pos = 8;
        while (pos + 8 <= png.length) {
            int len = ByteBuffer.wrap(png, pos, 4).getInt();
            if (new String(png, pos + 4, 4, java.nio.charset.StandardCharsets.ISO_8859_1).equals(type)) {
                return pos;
            }
            pos += 12 + len;
        }
        throw new AssertionError("no " + type);
    }

    /** A PNG whose IHDR says w x h, with a correct CRC, and nothing else that matters. */
    private static byte[] ihdrOnly(int w, int h) {
        ByteBuffer b = ByteBuffer.allocate(8 + 25 + 12);
        b.put(new byte[] {(byte) 0x89, 'P', 'N', 'G', 13, 10, 26, 10});
        b.putInt(13).put("IHDR".getBytes()).putInt(w).putInt(h).put((byte) 8).put((byte) 2).put((byte) 0)
                .put((byte) 0).put((byte) 0);
        CRC32 crc = new CRC32();
        crc.update(b.array(), 12, 17);
        b.putInt((int) crc.getValue());
        b.putInt(0).put("IEND".getBytes()).putInt(0xAE426082);
        return b.array();
    }

    private Path write(String name, byte[] bytes) throws IOException {
        Path p = tmp.resolve(name);
        Files.write(p, bytes);
        return p;
    }

    @Test
    void aBadCrcBeforeTheImageDataIsBrokenAsInPillow() throws IOException {
        byte[] good = png(8, 6);
        assertEquals(8, ImageLoader.DEFAULT.load(write("good.png", good)).width());
        byte[] badIhdr = good.clone();
        badIhdr[chunk(good, "IHDR") + 8 + 13] ^= 1; // the CRC's first byte
        ImageLoadException e = assertThrows(ImageLoadException.class,
                () -> ImageLoader.DEFAULT.load(write("ihdr.png", badIhdr)));
        assertTrue(e.getMessage().contains("broken PNG") && e.getMessage().contains("IHDR"), e.getMessage());
        // a flipped bit in the IHDR's data, the CRC left as it was
        byte[] badData = good.clone();
        badData[chunk(good, "IHDR") + 8 + 9] ^= 1;
        assertThrows(ImageLoadException.class, () -> ImageLoader.DEFAULT.load(write("ihdr2.png", badData)));
        // Pillow does not check the CRCs of the chunks after the image data; neither do we
        byte[] badEnd = good.clone();
        badEnd[chunk(good, "IEND") + 8] ^= 1;
        assertEquals(8, ImageLoader.DEFAULT.load(write("iend.png", badEnd)).width());
    }

    @Test
    void aHugeHeaderIsRefusedBeforeTheFileIsRead() throws IOException {
        Path small = write("huge.png", ihdrOnly(100_000, 100_000));
        ImageLoadException e = assertThrows(ImageLoadException.class, () -> ImageLoader.DEFAULT.load(small));
        assertTrue(e.getMessage().contains("pixels is over the limit"), e.getMessage());
        // the same header at the start of a 3 GB (sparse) file: refused by its size first, in no time and memory
        Path big = write("huge3g.png", ihdrOnly(100_000, 100_000));
        try (RandomAccessFile f = new RandomAccessFile(big.toFile(), "rw")) {
            f.setLength(3L << 30);
        }
        long read = bytesRead();
        ImageLoadException size = assertThrows(ImageLoadException.class, () -> ImageLoader.DEFAULT.load(big));
        assertTrue(size.getMessage().contains("bytes is over the limit"), size.getMessage());
        // with the file limit raised, the header read through a stream still refuses it without reading 3 GB
        ImageLoadException pixels = assertThrows(ImageLoadException.class,
                () -> ImageLoader.DEFAULT.withMaxFileBytes(4L << 30).load(big));
        assertTrue(pixels.getMessage().contains("pixels is over the limit"), pixels.getMessage());
        long readMb = (bytesRead() - read) >> 20;
        assertTrue(readMb < 64, "no 3 GB read: " + readMb + " MB read by this process meanwhile");
    }

    /** The bytes this process has read through read(2) and its kin (Linux's /proc/self/io rchar). */
    private static long bytesRead() throws IOException {
        for (String line : java.nio.file.Files.readAllLines(Path.of("/proc/self/io"))) {
            if (line.startsWith("rchar:")) {
                return Long.parseLong(line.substring(6).trim());
            }
        }
        throw new IOException("no rchar in /proc/self/io");
    }

    @Test
    void missingFilesAndFoldersAreNamed() throws IOException {
        var missing = assertThrows(dev.sdcond.models.InvalidInputException.class,
                () -> ImageLoader.DEFAULT.load(tmp.resolve("nope.png")));
        assertTrue(missing.getMessage().contains("nope.png") && missing.getMessage().contains("no such file"));
        Path dir = Files.createDirectories(tmp.resolve("dir.png"));
        var folder = assertThrows(dev.sdcond.models.InvalidInputException.class, () -> ImageLoader.DEFAULT.load(dir));
        assertTrue(folder.getMessage().contains("is a folder"), folder.getMessage());
    }
}
