package dev.sdcond.cli;

import dev.sdcond.conditioning.Preset;
import dev.sdcond.conditioning.prompt.PromptStyle;
import dev.sdcond.ipadapter.preprocess.CropPosition;
import dev.sdcond.ipadapter.preprocess.ResizeMode;
import dev.sdcond.models.Compute;
import dev.sdcond.models.InvalidInputException;
import dev.sdcond.models.Precision;
import java.util.function.Function;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/**
 * Option values checked while the command line is parsed, so that a bad value fails at once, before any model is
 * loaded, with picocli's "Invalid value for option '--NAME'" and our reason. The parsing itself is the library's.
 */
final class Converters {
    private Converters() {}

    /** Wraps a library parser: its {@link InvalidInputException} becomes the option's error. */
    private abstract static class Parsing<T> implements ITypeConverter<T> {
        private final Function<String, T> parser;

        Parsing(Function<String, T> parser) {
            this.parser = parser;
        }

        @Override
        public T convert(String value) {
            try {
                return parser.apply(value);
            } catch (InvalidInputException e) {
                throw new TypeConversionException(e.getMessage());
            }
        }
    }

    static final class PrecisionConverter extends Parsing<Precision> {
        PrecisionConverter() {
            super(Precision::parse);
        }
    }

    /** cpu, gpu, gpu:N: the syntax only; whether the GPU exists is known once the engine starts. */
    static final class DeviceConverter extends Parsing<String> {
        DeviceConverter() {
            super(s -> {
                Compute.parseDevice(s);
                return s;
            });
        }
    }

    static final class PresetConverter extends Parsing<Preset> {
        PresetConverter() {
            super(Preset::parse);
        }
    }

    static final class StyleConverter extends Parsing<PromptStyle> {
        StyleConverter() {
            super(PromptStyle::parse);
        }
    }

    static final class ResizeModeConverter extends Parsing<ResizeMode> {
        ResizeModeConverter() {
            super(ResizeMode::parse);
        }
    }

    static final class CropConverter extends Parsing<CropPosition> {
        CropConverter() {
            super(CropPosition::parse);
        }
    }

    /** {@code FILE[:STRENGTH]}: a LoRA file that exists. */
    static final class LoraConverter extends Parsing<dev.sdcond.models.lora.LoraSpec> {
        LoraConverter() {
            super(s -> {
                dev.sdcond.models.lora.LoraSpec l = dev.sdcond.models.lora.LoraSpec.parse(s);
                dev.sdcond.models.io.InputFiles.requireFile(l.file());
                return l;
            });
        }
    }

    /** An integer of at least {@code min}. */
    private abstract static class AtLeast implements ITypeConverter<Integer> {
        private final int min;

        AtLeast(int min) {
            this.min = min;
        }

        @Override
        public Integer convert(String value) {
            int v;
            try {
                v = Integer.parseInt(value.strip());
            } catch (NumberFormatException e) {
                throw new TypeConversionException("'" + value + "' is not a whole number");
            }
            if (v < min) {
                throw new TypeConversionException("must be " + min + " or more, is " + v);
            }
            return v;
        }
    }

    /** An integer of at least 1. */
    static final class Positive extends AtLeast {
        Positive() {
            super(1);
        }
    }

    /** An integer of at least 0. */
    static final class NonNegative extends AtLeast {
        NonNegative() {
            super(0);
        }
    }

    /** A count of at least 1, as a long (pixel limits). */
    static final class PositiveLong implements ITypeConverter<Long> {
        @Override
        public Long convert(String value) {
            long v;
            try {
                v = Long.parseLong(value.strip());
            } catch (NumberFormatException e) {
                throw new TypeConversionException("'" + value + "' is not a whole number");
            }
            if (v < 1) {
                throw new TypeConversionException("must be 1 or more, is " + v);
            }
            return v;
        }
    }
}
