package dev.sdcond.models.safetensors;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/** Stored values decoded on the host, exactly: bfloat16 and IEEE half widened, any numeric dtype read as float. */
final class HostValues {
    private HostValues() {
    }

    /** bfloat16 is the top half of a float32: widen exactly, then convert to the target if it is not float32. */
    static NDArray widenBf16(ByteBuffer bf16, Shape shape, NDManager manager, DataType dtype) {
        int n = bf16.remaining() / 2;
        ByteBuffer f32 = ByteBuffer.allocateDirect(n * 4).order(ByteOrder.nativeOrder());
        for (int i = 0; i < n; i++) {
            f32.putInt(i * 4, (bf16.getShort(i * 2) & 0xffff) << 16);
        }
        try (NDArray raw = manager.create(f32, shape, DataType.FLOAT32)) {
            return dtype == DataType.FLOAT32 ? raw.duplicate() : raw.toType(dtype, false);
        } finally {
            dev.sdcond.models.io.DirectBuffers.free(f32);
        }
    }

    /**
     * Reads every element of a little-endian buffer as float.
     *
     * @param b the tensor's bytes
     * @param dtype their dtype
     * @param out where the values go, one per element
     * @return false for a dtype that is not numeric
     */
    static boolean read(ByteBuffer b, DType dtype, float[] out) {
        for (int i = 0; i < out.length; i++) {
            switch (dtype) {
                case F32 -> out[i] = b.getFloat(i * 4);
                case F64 -> out[i] = (float) b.getDouble(i * 8);
                case F16 -> out[i] = halfToFloat(b.getShort(i * 2));
                case BF16 -> out[i] = Float.intBitsToFloat((b.getShort(i * 2) & 0xffff) << 16);
                case I64 -> out[i] = b.getLong(i * 8);
                case I32 -> out[i] = b.getInt(i * 4);
                case I16 -> out[i] = b.getShort(i * 2);
                case U8, BOOL -> out[i] = b.get(i) & 0xff;
                case I8 -> out[i] = b.get(i);
                default -> {
                    return false;
                }
            }
        }
        return true;
    }

    /** IEEE half to float, exactly. */
    static float halfToFloat(short h) {
        int bits = h & 0xffff;
        int sign = (bits & 0x8000) << 16;
        int exp = (bits >> 10) & 0x1f;
        int mant = bits & 0x3ff;
        if (exp == 0x1f) {
            return Float.intBitsToFloat(sign | 0x7f800000 | (mant << 13));
        }
        if (exp == 0) {
            float v = mant * 0x1p-24f; // subnormal (or zero): mant * 2^-24
            return sign == 0 ? v : -v;
        }
        return Float.intBitsToFloat(sign | ((exp + 112) << 23) | (mant << 13));
    }
}
