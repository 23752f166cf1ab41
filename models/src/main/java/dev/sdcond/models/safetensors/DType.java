package dev.sdcond.models.safetensors;

import ai.djl.ndarray.types.DataType;
import java.util.Optional;

/**
 * The element types of the safetensors format that are a whole number of bytes wide. Sub-byte types (F4, F6_*) are
 * not supported and are reported as unknown.
 */
public enum DType {
    BOOL(1, DataType.BOOLEAN),
    U8(1, DataType.UINT8),
    I8(1, DataType.INT8),
    F8_E5M2(1, null),
    F8_E4M3(1, null),
    F8_E8M0(1, null),
    I16(2, null),
    U16(2, null),
    F16(2, DataType.FLOAT16),
    BF16(2, null),
    I32(4, DataType.INT32),
    U32(4, null),
    F32(4, DataType.FLOAT32),
    F64(8, DataType.FLOAT64),
    I64(8, DataType.INT64),
    U64(8, null);

    private final int byteSize;
    private final DataType djl;

    DType(int byteSize, DataType djl) {
        this.byteSize = byteSize;
        this.djl = djl;
    }

    public int byteSize() {
        return byteSize;
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
