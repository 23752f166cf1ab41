package dev.sdcond.ipadapter.image;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.zip.CRC32;

/**
 * Pillow's checks of a PNG's chunks before the image data: each chunk type is four ASCII letters and each chunk's
 * CRC matches (Pillow reads every chunk up to the first IDAT with its CRC verified, and raises "broken PNG file"
 * otherwise; Java's decoder ignores CRCs). The image data's own CRCs and the chunks after it are not checked, as in
 * Pillow.
 */
final class PngChunks {
    private PngChunks() {}

    /** @param png the whole file, starting with the 8-byte signature */
    static void check(Path name, byte[] png) {
        int pos = 8;
        while (pos + 8 <= png.length) {
            long length = u32(png, pos);
            String type = new String(png, pos + 4, 4, StandardCharsets.ISO_8859_1);
            if (!type.matches("[A-Za-z]{4}")) {
                throw new ImageLoadException(name, "broken PNG file: bad chunk type at byte " + (pos + 4));
            }
            if (type.equals("IDAT")) {
                return;
            }
            if (length > png.length - pos - 12L) {
                throw new ImageLoadException(name, "broken PNG file: the " + type + " chunk runs past the end of the file");
            }
            CRC32 crc = new CRC32();
            crc.update(png, pos + 4, 4 + (int) length);
            if (crc.getValue() != u32(png, pos + 8 + (int) length)) {
                throw new ImageLoadException(name, "broken PNG file: bad CRC in the " + type + " chunk");
            }
            pos += 12 + (int) length;
        }
    }

    private static long u32(byte[] b, int i) {
        return ((b[i] & 0xffL) << 24) | ((b[i + 1] & 0xffL) << 16) | ((b[i + 2] & 0xffL) << 8) | (b[i + 3] & 0xffL);
    }
}
