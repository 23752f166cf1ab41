package dev.sdcond.models;

import ai.djl.ndarray.types.DataType;
import java.util.Locale;

/** The dtype a tower computes in. Weights stored in any float dtype are converted to it at load time. */
public enum Precision {
    FLOAT32(DataType.FLOAT32),
    FLOAT16(DataType.FLOAT16),
    BFLOAT16(DataType.BFLOAT16);

    private final DataType dataType;

    Precision(DataType dataType) {
        this.dataType = dataType;
    }

    public DataType dataType() {
        return dataType;
    }

    /** Parses {@code float32|fp32|float16|fp16|half|bfloat16|bf16}. */
    public static Precision parse(String s) {
        switch (s.toLowerCase(Locale.ROOT)) {
            case "float32": case "fp32": case "f32": return FLOAT32;
            case "float16": case "fp16": case "f16": case "half": return FLOAT16;
            case "bfloat16": case "bf16": return BFLOAT16;
            default: throw new IllegalArgumentException("unknown dtype '" + s + "' (float32, float16, bfloat16)");
        }
    }

    @Override
    public String toString() {
        return name().toLowerCase(Locale.ROOT);
    }
}
