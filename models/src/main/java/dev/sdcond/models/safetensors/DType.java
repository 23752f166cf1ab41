package dev.sdcond.models.safetensors;

import ai.djl.ndarray.types.DataType;
import java.util.Optional;

/**
 * Every element type the safetensors format lists, with its width in bits (F4 and the F6 types are narrower than a
 * byte; a tensor of them must still fill whole bytes). A file may hold any of them; only the types that weights can
 * be converted from are loaded, and a needed tensor of another type is an error naming it.
 */
public enum DType {
    BOOL(8, DataType.BOOLEAN),
    F4(4, null),
    F6_E2M3(6, null),
    F6_E3M2(6, null),
    U8(8, DataType.UINT8),
    I8(8, DataType.INT8),
    F8_E5M2(8, null),
    F8_E4M3(8, null),
    F8_E8M0(8, null),
    I16(16, null),
    U16(16, null),
    F16(16, DataType.FLOAT16),
    BF16(16, null),
    I32(32, DataType.INT32),
    U32(32, null),
    F32(32, DataType.FLOAT32),
    C64(64, null),
    F64(64, DataType.FLOAT64),
    I64(64, DataType.INT64),
    U64(64, null);

    private final int bitSize;
    private final DataType djl;

    DType(int bitSize, DataType djl) {
        this.bitSize = bitSize;
        this.djl = djl;
    }

    /** Bits per element. */
    public int bitSize() {
        return bitSize;
    }

    /**
     * Bytes per element.
     *
     * @throws UnsupportedOperationException for the sub-byte types
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
     */
    public Optional<DataType> djlType() {
        return Optional.ofNullable(djl);
    }

    /** Whether this is a floating point type that model weights can be converted from. */
    public boolean isFloat() {
        return this == F16 || this == BF16 || this == F32 || this == F64;
    }

    /** Looks a dtype up by its name in the header, e.g. {@code "F32"}. */
    public static Optional<DType> fromName(String name) {
        for (DType t : values()) {
            if (t.name().equals(name)) {
                return Optional.of(t);
            }
        }
        return Optional.empty();
    }
}
