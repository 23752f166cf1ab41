package dev.sdcond.models.safetensors;

import ai.djl.ndarray.types.DataType;
import java.util.Optional;

/**
 * Every element type the safetensors format lists, with its width in bits (F4 and the F6 types are narrower than a
 * byte; a tensor of them must still fill whole bytes). A file may hold any of them; only the types that weights can
 * be converted from are loaded, and a needed tensor of another type is an error naming it.
 */
public enum DType {
    /** Boolean. */
    BOOL(8, DataType.BOOLEAN),
    /** 4-bit float (e2m1). */
    F4(4, null),
    /** 6-bit float (e2m3). */
    F6_E2M3(6, null),
    /** 6-bit float (e3m2). */
    F6_E3M2(6, null),
    /** Unsigned 8-bit integer. */
    U8(8, DataType.UINT8),
    /** Signed 8-bit integer. */
    I8(8, DataType.INT8),
    /** 8-bit float (e5m2). */
    F8_E5M2(8, null),
    /** 8-bit float (e4m3). */
    F8_E4M3(8, null),
    /** 8-bit exponent-only float (e8m0). */
    F8_E8M0(8, null),
    /** Signed 16-bit integer. */
    I16(16, null),
    /** Unsigned 16-bit integer. */
    U16(16, null),
    /** IEEE half precision. */
    F16(16, DataType.FLOAT16),
    /** bfloat16. */
    BF16(16, null),
    /** Signed 32-bit integer. */
    I32(32, DataType.INT32),
    /** Unsigned 32-bit integer. */
    U32(32, null),
    /** IEEE single precision. */
    F32(32, DataType.FLOAT32),
    /** Complex of two 32-bit floats. */
    C64(64, null),
    /** IEEE double precision. */
    F64(64, DataType.FLOAT64),
    /** Signed 64-bit integer. */
    I64(64, DataType.INT64),
    /** Unsigned 64-bit integer. */
    U64(64, null);

    private final int bitSize;
    private final DataType djl;

    DType(int bitSize, DataType djl) {
        this.bitSize = bitSize;
        this.djl = djl;
    }

    /**
     * Bits per element.
     *
     * @return bits per element
     */
    public int bitSize() {
        return bitSize;
    }

    /**
     * Bytes per element.
     *
     * @throws UnsupportedOperationException for the sub-byte types
     * @return bytes per element
     */
    public int byteSize() {
        if (bitSize % 8 != 0) {
            throw new UnsupportedOperationException(name() + " elements are " + bitSize + " bits, not whole bytes");
        }
        return bitSize / 8;
    }
    /**
     * The DJL type that holds this dtype's bytes unchanged, where DJL's PyTorch engine can create it. DJL 0.36's
     * PyTorch JNI maps only its first eight types (float16/32/64, int8/32/64, uint8, bool): asking it for bfloat16,
     * int16 or unsigned 16/32/64-bit tensors aborts the JVM, so those have none here (BF16 weights are widened to
     * float32 in Java instead).
     *
     * @return DJL's dtype, or empty when DJL has none
     */
    public Optional<DataType> djlType() {
        return Optional.ofNullable(djl);
    }

    /**
     * Whether this is a floating point type that model weights can be converted from.
     *
     * @return whether it is a floating-point type
     */
    public boolean isFloat() {
        return this == F16 || this == BF16 || this == F32 || this == F64;
    }

    /**
     * Looks a dtype up by its name in the header, e.g. {@code "F32"}.
     *
     * @param name a safetensors dtype name
     * @return the dtype, or empty for an unknown name
     */
    public static Optional<DType> fromName(String name) {
        for (DType t : values()) {
            if (t.name().equals(name)) {
                return Optional.of(t);
            }
        }
        return Optional.empty();
    }
}
