package dev.sdcond.ipadapter.image;

import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.event.IIOReadWarningListener;
import javax.imageio.stream.ImageInputStream;

/**
 * Loads PNG, JPEG, WebP, BMP and GIF (first frame) files into 8-bit RGB the way diffusers' {@code load_image} does with
 * Pillow: EXIF orientation applied, then {@code convert("RGB")}: gray replicated, palettes looked up, alpha dropped
 * (or composited, as an option), 16-bit RGB reduced to its high byte, 16-bit gray clipped at 255 (Pillow's I;16 to RGB
 * conversion), CMYK converted with Pillow's formula.
 *
 * <p>Memory is bounded by the limits, never by what a file claims: the file's size is checked first, then its size in
 * pixels is read from the header through a stream and checked against the pixel limit, and only then is the file read
 * and decoded. A truncated or corrupt file is an error, never a partly grey image: decoder warnings are errors too,
 * and so is a PNG whose chunks before the image data fail their CRC (Pillow refuses those as "broken PNG file").
 *
 * @param maxPixels the largest width * height accepted
 * @param alpha what happens to an alpha channel
 * @param maxFileBytes the largest file accepted
 */
public record ImageLoader(long maxPixels, AlphaMode alpha, long maxFileBytes) {
    /** Pillow's {@code MAX_IMAGE_PIXELS}: 1024 * 1024 * 1024 / 4 / 3. */
    public static final long PILLOW_MAX_PIXELS = 1024L * 1024 * 1024 / 4 / 3;

    /**
     * The default file size limit, 1 GiB: above what any image within Pillow's pixel limit needs (an uncompressed
     * 16-bit RGBA PNG of 89.5 million pixels is 716 MB).
     */
    public static final long DEFAULT_MAX_FILE_BYTES = 1L << 30;

    /** Pillow's pixel limit, alpha dropped, files up to 1 GiB. */
    public static final ImageLoader DEFAULT = new ImageLoader(PILLOW_MAX_PIXELS, AlphaMode.DROP, DEFAULT_MAX_FILE_BYTES);

    static {
        ImageIO.setUseCache(false);
        ImageIO.scanForPlugins();
    }

    /**
     * This loader with another alpha rule.
     *
     * @param a the rule
     * @return the loader
     */
    public ImageLoader withAlpha(AlphaMode a) {
        return new ImageLoader(maxPixels, a, maxFileBytes);
    }

    /**
     * This loader with another pixel limit.
     *
     * @param max the most pixels an image may have
     * @return the loader
     */
    public ImageLoader withMaxPixels(long max) {
        return new ImageLoader(max, alpha, maxFileBytes);
    }

    /**
     * This loader with another file size limit.
     *
     * @param max the largest file read, in bytes
     * @return the loader
     */
    public ImageLoader withMaxFileBytes(long max) {
        return new ImageLoader(maxPixels, alpha, max);
    }

    /**
     * Loads a file: its size, then its header (through a stream), are checked before it is read.
     *
     * @throws ImageLoadException (an {@link dev.sdcond.models.InvalidInputException}) naming the file and the problem
     * @param file the image file
     * @return the decoded image
     */
    public RgbImage load(Path file) {
        dev.sdcond.models.io.InputFiles.requireFile(file);
        long size;
        try {
            size = Files.size(file);
        } catch (IOException e) {
            throw dev.sdcond.models.io.InputFiles.unreadable(file, e);
        }
        if (size > maxFileBytes) {
            throw new ImageLoadException(file, size + " bytes is over the limit of " + maxFileBytes
                    + " for an image file; raise the limit to load it");
        }
        probe(file);
        return decode(file, dev.sdcond.models.io.InputFiles.readBytes(file));
    }

    /** Reads the format and size from the file's first bytes, streamed, and checks them against the limits. */
    private void probe(Path file) {
        try (ImageInputStream in = ImageIO.createImageInputStream(file.toFile())) {
            if (in == null) {
                throw new ImageLoadException(file, "cannot be opened");
            }
            byte[] head = new byte[16];
            int n = 0;
            for (int r; n < head.length && (r = in.read(head, n, head.length - n)) > 0; ) {
                n += r;
            }
            in.seek(0);
            sizedReader(file, format(file, java.util.Arrays.copyOf(head, n)), in).dispose();
        } catch (IOException | RuntimeException e) {
            if (e instanceof ImageLoadException ile) {
                throw ile;
            }
            throw new ImageLoadException(file, "corrupt or truncated image header (" + why(e) + ")", e);
        }
    }

    /** What a decoder's exception says, or what it is when it says nothing (an EOFException has no message). */
    static String why(Throwable e) {
        if (e.getMessage() != null && !e.getMessage().isBlank()) {
            return e.getMessage();
        }
        return e instanceof java.io.EOFException ? "the data ends too early" : "the decoder failed: "
                + e.getClass().getSimpleName();
    }

    /** The format of the file's first bytes, or an error. */
    private static String format(Path name, byte[] head) {
        String format = sniff(head);
        if (format == null) {
            throw new ImageLoadException(name, "not a supported image (PNG, JPEG, WebP, BMP or GIF)");
        }
        return format;
    }

    /** A reader over {@code in} whose image size is within the limits; the caller disposes it. */
    private ImageReader sizedReader(Path name, String format, ImageInputStream in) throws IOException {
        Iterator<ImageReader> readers = ImageIO.getImageReaders(in);
        if (!readers.hasNext()) {
            throw new ImageLoadException(name, "no decoder for this " + format + " file");
        }
        ImageReader reader = readers.next();
        try {
            reader.setInput(in, true, true);
            checkSize(name, reader.getWidth(0), reader.getHeight(0));
            return reader;
        } catch (IOException | RuntimeException e) {
            reader.dispose();
            throw e;
        }
    }

    private void checkSize(Path name, long w, long h) {
        if (w <= 0 || h <= 0) {
            throw new ImageLoadException(name, "invalid size " + w + "x" + h);
        }
        if (w * h > maxPixels) {
            throw new ImageLoadException(name, w + "x" + h + " = " + (w * h) + " pixels is over the limit of "
                    + maxPixels + " (a decompression bomb?); raise the limit to load it");
        }
    }

    /**
     * Decodes the bytes of an image file; {@code name} is used in messages.
     *
     * @param name the file, for messages
     * @param bytes its contents
     * @return the decoded image
     */
    public RgbImage decode(Path name, byte[] bytes) {
        String format = format(name, bytes);
        if (format.equals("PNG")) {
            PngChunks.check(name, bytes);
        } else if (format.equals("WebP")) {
            WebpRiff.check(name, bytes);
        }
        BufferedImage img;
        try (ImageInputStream in = ImageIO.createImageInputStream(new ByteArrayInputStream(bytes))) {
            ImageReader reader = sizedReader(name, format, in);
            try {
                List<String> warnings = new ArrayList<>();
                reader.addIIOReadWarningListener((IIOReadWarningListener) (source, warning) -> warnings.add(warning));
                if (format.equals("JPEG") && JpegCmyk.components(bytes) == 4) {
                    return orient(bytes, JpegCmyk.toRgb(name, reader.readRaster(0, null), JpegCmyk.adobeTransform(bytes),
                            warnings));
                }
                img = reader.read(0);
                if (!warnings.isEmpty()) {
                    throw new ImageLoadException(name, "corrupt or truncated " + format + ": " + warnings.get(0));
                }
            } finally {
                reader.dispose();
            }
        } catch (IOException | RuntimeException e) {
            if (e instanceof ImageLoadException ile) {
                throw ile;
            }
            throw new ImageLoadException(name, "corrupt or truncated " + format + " (" + why(e) + ")", e);
        }
        return orient(bytes, PillowRgb.of(name, img, alpha));
    }

    private static RgbImage orient(byte[] bytes, RgbImage img) {
        return ExifOrientation.apply(img, ExifOrientation.read(bytes));
    }

    static String sniff(byte[] b) {
        if (b.length >= 8 && (b[0] & 0xff) == 0x89 && b[1] == 'P' && b[2] == 'N' && b[3] == 'G') {
            return "PNG";
        }
        if (b.length >= 3 && (b[0] & 0xff) == 0xFF && (b[1] & 0xff) == 0xD8 && (b[2] & 0xff) == 0xFF) {
            return "JPEG";
        }
        if (b.length >= 6 && new String(b, 0, 4, StandardCharsets.ISO_8859_1).equals("GIF8")) {
            return "GIF";
        }
        if (b.length >= 2 && b[0] == 'B' && b[1] == 'M') {
            return "BMP";
        }
        if (b.length >= 12 && new String(b, 0, 4, StandardCharsets.ISO_8859_1).equals("RIFF")
                && new String(b, 8, 4, StandardCharsets.ISO_8859_1).equals("WEBP")) {
            return "WebP";
        }
        return null;
    }

    /**
     * An image the caller decoded, converted as Pillow's {@code convert("RGB")} converts (palettes looked up, gray
     * replicated, 16-bit samples to 8, alpha by this loader's rule) and checked against the pixel limit. EXIF
     * orientation is not applied: a {@code BufferedImage} carries none.
     *
     * @param image the image
     * @param name what to call it in messages
     * @return its RGB pixels
     * @throws ImageLoadException for an image over the pixel limit or with samples other than 8 or 16 bits
     */
    public RgbImage convert(BufferedImage image, String name) {
        Path p = Path.of(name);
        checkSize(p, image.getWidth(), image.getHeight());
        return PillowRgb.of(p, image, alpha);
    }
}
