package dev.sdcond.conditioning;

import dev.sdcond.models.InvalidInputException;
import java.util.Locale;
import java.util.Optional;

/**
 * Which hidden layer a request takes from every text encoder: the preset's own, an index into {@code hidden_states},
 * or a clip skip value in one tool's numbering. Each may override whether the final layer norm is applied.
 */
public sealed interface LayerChoice {
    /** The preset's layers (SD1.x: the last, normed; SD2.x and SDXL: the penultimate). */
    LayerChoice PRESET = new PresetLayers();

    /**
     * The layer this choice selects in a preset.
     *
     * @param preset the model's preset
     * @return the layer, or empty for the preset's own
     * @throws InvalidInputException for a value outside the convention's range
     */
    Optional<LayerSelection> in(Preset preset);

    /** The preset's own layers. */
    record PresetLayers() implements LayerChoice {
        @Override
        public Optional<LayerSelection> in(Preset preset) {
            return Optional.empty();
        }
    }

    /**
     * An index into {@code hidden_states}, the same for every encoder.
     *
     * @param index negative from the end (-1 the last layer, -2 the penultimate); empty for the preset's first
     *     encoder's (to change only the final norm)
     * @param finalNorm whether to apply the final layer norm; empty for the preset's
     */
    record Index(java.util.OptionalInt index, Optional<Boolean> finalNorm) implements LayerChoice {
        /**
         * Checks the parts.
         *
         * @param index the index
         * @param finalNorm the norm, or empty
         */
        public Index {
            java.util.Objects.requireNonNull(index, "index");
            java.util.Objects.requireNonNull(finalNorm, "finalNorm");
        }

        /**
         * One index, with the preset's final norm.
         *
         * @param index negative from the end
         */
        public Index(int index) {
            this(java.util.OptionalInt.of(index), Optional.empty());
        }

        @Override
        public Optional<LayerSelection> in(Preset preset) {
            LayerSelection own = preset.encoders().get(0).layer();
            return Optional.of(new LayerSelection(index.orElse(own.index()), finalNorm.orElse(own.finalNorm())));
        }
    }

    /**
     * A clip skip value, as one tool numbers it.
     *
     * @param value the value
     * @param convention whose numbering; empty for the preset's users' ({@link ClipSkipConvention#defaultFor})
     * @param finalNorm whether to apply the final layer norm; empty for what the convention says
     */
    record ClipSkip(int value, Optional<ClipSkipConvention> convention, Optional<Boolean> finalNorm)
            implements LayerChoice {
        /**
         * Checks the value against the convention's range (independent of the preset; with no convention named,
         * against the widest, diffusers' 0 and up, and again when the preset is known).
         *
         * @param value the value
         * @param convention the numbering, or empty
         * @param finalNorm the norm, or empty
         * @throws InvalidInputException for a value outside the range
         */
        public ClipSkip {
            java.util.Objects.requireNonNull(convention, "convention");
            java.util.Objects.requireNonNull(finalNorm, "finalNorm");
            layerIn(value, convention.orElse(ClipSkipConvention.DIFFUSERS), Preset.SD15);
        }

        /**
         * A value in a named tool's numbering.
         *
         * @param value the value
         * @param convention the numbering
         * @param finalNorm the norm, or empty
         */
        public ClipSkip(int value, ClipSkipConvention convention, Optional<Boolean> finalNorm) {
            this(value, Optional.of(convention), finalNorm);
        }

        @Override
        public Optional<LayerSelection> in(Preset preset) {
            LayerSelection l = layerIn(value, convention.orElse(ClipSkipConvention.defaultFor(preset)), preset);
            return Optional.of(finalNorm.map(n -> new LayerSelection(l.index(), n)).orElse(l));
        }

        private static LayerSelection layerIn(int value, ClipSkipConvention convention, Preset preset) {
            try {
                return convention.layer(value, preset);
            } catch (InvalidInputException e) {
                throw new InvalidInputException("clip skip " + value + " (" + convention.name().toLowerCase(Locale.ROOT)
                        + "'s numbering): " + e.getMessage(), e);
            }
        }
    }
}
