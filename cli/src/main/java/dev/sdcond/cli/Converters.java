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

    /** --uncond: a keyword, or an image file that exists. */
    static final class UncondConverter implements picocli.CommandLine.ITypeConverter<String> {
        @Override
        public String convert(String v) {
            if (java.util.List.of("zeros", "zero-pixels", "black").contains(v.toLowerCase(java.util.Locale.ROOT))) {
                return v.toLowerCase(java.util.Locale.ROOT);
            }
            if (!java.nio.file.Files.isRegularFile(java.nio.file.Path.of(v))) {
                throw new picocli.CommandLine.TypeConversionException("'" + v
                        + "' is not zeros, zero-pixels, black or an image file");
            }
            return v;
        }
    }

    /** --alpha: drop, or RRGGBB. */
    static final class AlphaConverter implements picocli.CommandLine.ITypeConverter<dev.sdcond.ipadapter.image.AlphaMode> {
        @Override
        public dev.sdcond.ipadapter.image.AlphaMode convert(String v) {
            if (v.equalsIgnoreCase("drop")) {
                return dev.sdcond.ipadapter.image.AlphaMode.DROP;
            }
            String hex = v.replaceFirst("^#", "");
            if (!hex.matches("[0-9A-Fa-f]{6}")) {
                throw new picocli.CommandLine.TypeConversionException("takes drop or a hex colour such as ffffff, not '"
                        + v + "'");
            }
            return dev.sdcond.ipadapter.image.AlphaMode.over(Integer.parseInt(hex, 16));
        }
    }
}
