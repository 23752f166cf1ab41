package dev.sdcond.models.safetensors;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

/** Writes one array in NumPy's {@code .npy} format (version 1.0, little-endian, C order). */
public final class NpyWriter {
    private NpyWriter() {}

    /** The numpy descr of a dtype. */
    static String descr(DType t) {
        return switch (t) {
            case F32 -> "<f4";
            case F16 -> "<f2";
            case F64 -> "<f8";
            case I64 -> "<i8";
            case I32 -> "<i4";
            case I8 -> "|i1";
            case U8 -> "|u1";
            case BOOL -> "|b1";
            default -> throw new IllegalArgumentException("no npy dtype for " + t);
        };
    }

    /**
     * Writes one array as an {@code .npy} file (format version 1.0, little-endian, C order).
     *
     * @param out where to write
     * @param dtype the element type
     * @param shape the dimensions
     * @param littleEndianData the elements
     * @throws IOException when writing fails
     */
    public static void write(OutputStream out, DType dtype, long[] shape, ByteBuffer littleEndianData) throws IOException {
        StringBuilder s = new StringBuilder("(");
        for (long d : shape) {
            s.append(d).append(", ");
        }
        if (shape.length > 1) {
            s.setLength(s.length() - 2);
        } else if (shape.length == 1) {
            s.setLength(s.length() - 1);
        }
        s.append(")");
        String dict = "{'descr': '" + descr(dtype) + "', 'fortran_order': False, 'shape': " + s + ", }";
        int unpadded = 10 + dict.length() + 1;
        int total = (unpadded + 63) / 64 * 64;
        String header = dict + " ".repeat(total - unpadded) + "\n";
        ByteBuffer pre = ByteBuffer.allocate(10).order(ByteOrder.LITTLE_ENDIAN);
        pre.put((byte) 0x93).put("NUMPY".getBytes(StandardCharsets.ISO_8859_1)).put((byte) 1).put((byte) 0);
        pre.putShort((short) header.length());
        out.write(pre.array());
        out.write(header.getBytes(StandardCharsets.ISO_8859_1));
        ByteBuffer d = littleEndianData.duplicate();
        byte[] buf = new byte[1 << 16];
        while (d.hasRemaining()) {
            int n = Math.min(buf.length, d.remaining());
            d.get(buf, 0, n);
            out.write(buf, 0, n);
        }
    }
}
