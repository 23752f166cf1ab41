package dev.sdcond.conditioning;

import dev.sdcond.models.registry.ClipFamily;
import java.util.List;
import java.util.Optional;
import java.util.Locale;

/**
 * What each Stable Diffusion family feeds its UNet/transformer from CLIP (and T5), as a table written with named
 * settings ({@link #named}).
 *
 * @param name the preset's name
 * @param encoders per text encoder: its padding id and default layer
 * @param pooledFrom which encoders give the pooled vector
 * @param pooled which pooled vector
 * @param hiddenStates whether the family uses the hidden states (Flux takes only CLIP's pooled vector)
 * @param zeroEmptyNegative diffusers' {@code force_zeros_for_empty_prompt} default
 * @param t5 the T5 encoder's lengths, for Flux and SD3
 */
public record Preset(String name, List<EncoderSlot> encoders, PooledFrom pooledFrom, PooledKind pooled,
        boolean hiddenStates, boolean zeroEmptyNegative, Optional<T5Slot> t5) {

    /**
     * One encoder's role.
     *
     * @param family the CLIP family the preset was trained with
     * @param layer the hidden state it takes by default
     */
    public record EncoderSlot(ClipFamily family, LayerSelection layer) {
        /**
         * The encoder's name.
         *
         * @return e.g. {@code CLIP-L}
         */
        public String role() {
            return family.displayName();
        }

        /**
         * The padding id of the family's tokenizer.
         *
         * @return 49407 (EOS) for CLIP-L, 0 for OpenCLIP encoders
         */
        public long padId() {
            return family.padId();
        }
    }

    /**
     * Which encoders give the pooled vector: none, one, or every one (their vectors concatenated).
     *
     * @param encoder the encoder's index for one; -1 for none; {@code Integer.MAX_VALUE} for every one
     */
    public record PooledFrom(int encoder) {
        /** No pooled vector. */
        public static final PooledFrom NONE = new PooledFrom(-1);
        /** Every encoder's pooled vector, concatenated (SD3). */
        public static final PooledFrom EVERY = new PooledFrom(Integer.MAX_VALUE);

        /**
         * One encoder's.
         *
         * @param i the encoder's index
         * @return the source
         */
        public static PooledFrom encoder(int i) {
            return new PooledFrom(i);
        }

        /**
         * Whether an encoder's pooled vector is taken.
         *
         * @param i the encoder's index
         * @return whether it is
         */
        public boolean includes(int i) {
            return this.equals(EVERY) || encoder == i;
        }
    }

    /**
     * The T5 encoder's lengths.
     *
     * @param defaultLength diffusers' default {@code max_sequence_length}: 512 for Flux (FLUX.1-dev), 256 for SD3
     * @param comfyMinimumLength ComfyUI's minimum length, up to which it pads (it never cuts): 256 Flux, 77 SD3
     */
    public record T5Slot(int defaultLength, int comfyMinimumLength) {}

    /** SD1.x: CLIP-L's last layer with final norm, [77, 768], pad with EOS. */
    public static final Preset SD15 = named("sd15").encoder(ClipFamily.CLIP_L_TEXT, LayerSelection.LAST).build();
    /** SD2.x: OpenCLIP-H's penultimate layer with final norm, [77, 1024], pad with 0. */
    public static final Preset SD2 = named("sd2").encoder(ClipFamily.OPENCLIP_H_TEXT, LayerSelection.PENULTIMATE_NORMED)
            .build();
    /** SDXL: [CLIP-L | OpenCLIP-bigG] penultimate layers without final norm, [77, 2048]; pooled = bigG text_embeds. */
    public static final Preset SDXL = named("sdxl").encoder(ClipFamily.CLIP_L_TEXT, LayerSelection.PENULTIMATE_RAW)
            .encoder(ClipFamily.OPENCLIP_BIGG_TEXT, LayerSelection.PENULTIMATE_RAW)
            .pooled(PooledFrom.encoder(1), PooledKind.PROJECTED).zeroEmptyNegative().build();
    /** Flux (and the CLIP-L half of SD3-style pooled inputs): CLIP-L pooler_output, unprojected, [768]; T5's tokens. */
    public static final Preset FLUX = named("flux").encoder(ClipFamily.CLIP_L_TEXT, LayerSelection.LAST)
            .pooled(PooledFrom.encoder(0), PooledKind.POOLER).withoutHiddenStates().t5(new T5Slot(512, 256)).build();
    /**
     * SD3 / SD3.5: [CLIP-L | OpenCLIP-bigG] penultimate layers without final norm, [77, 2048], zero-padded to the T5
     * width and followed by T5's tokens; pooled = [L | bigG] text_embeds, [2048]. The negative prompt is encoded
     * ("" when absent), never zeroed.
     */
    public static final Preset SD3 = named("sd3").encoder(ClipFamily.CLIP_L_TEXT, LayerSelection.PENULTIMATE_RAW)
            .encoder(ClipFamily.OPENCLIP_BIGG_TEXT, LayerSelection.PENULTIMATE_RAW)
            .pooled(PooledFrom.EVERY, PooledKind.PROJECTED).t5(new T5Slot(256, 77)).build();

    /** Every preset, in the order inference tries them. */
    public static final List<Preset> ALL = List.of(SD15, SD2, SDXL, FLUX, SD3);

    /**
     * Copies the list.
     *
     * @param name the preset's name
     * @param encoders per text encoder: its family and default layer
     * @param pooledFrom which encoders give the pooled vector
     * @param pooled which pooled vector
     * @param hiddenStates whether the family uses the hidden states
     * @param zeroEmptyNegative diffusers' force_zeros_for_empty_prompt default
     * @param t5 the T5 encoder's lengths, or empty
     */
    public Preset {
        encoders = List.copyOf(encoders);
    }

    /**
     * A table entry, written with named settings: by default no pooled vector, hidden states used, empty negatives
     * encoded, no T5.
     *
     * @param name the preset's name
     * @return the entry's builder
     */
    static Table named(String name) {
        return new Table(name);
    }

    /** A preset's settings by name (the table above). */
    static final class Table {
        private final String name;
        private final List<EncoderSlot> encoders = new java.util.ArrayList<>();
        private PooledFrom pooledFrom = PooledFrom.NONE;
        private PooledKind pooled = PooledKind.NONE;
        private boolean hiddenStates = true;
        private boolean zeroEmptyNegative;
        private Optional<T5Slot> t5 = Optional.empty();

        Table(String name) {
            this.name = name;
        }

        Table encoder(ClipFamily family, LayerSelection layer) {
            encoders.add(new EncoderSlot(family, layer));
            return this;
        }

        Table pooled(PooledFrom from, PooledKind kind) {
            pooledFrom = from;
            pooled = kind;
            return this;
        }

        Table withoutHiddenStates() {
            hiddenStates = false;
            return this;
        }

        Table zeroEmptyNegative() {
            zeroEmptyNegative = true;
            return this;
        }

        Table t5(T5Slot slot) {
            t5 = Optional.of(slot);
            return this;
        }

        Preset build() {
            return new Preset(name, encoders, pooledFrom, pooled, hiddenStates, zeroEmptyNegative, t5);
        }
    }

    /**
     * A preset by name.
     *
     * @param s {@code sd15}, {@code sd2}, {@code sdxl} or {@code flux} (dots, dashes and case ignored; sd1, sd21 and the like too)
     * @return the preset
     * @throws dev.sdcond.models.InvalidInputException for an unknown name
     */
    public static Preset parse(String s) {
        String n = s.toLowerCase(Locale.ROOT).replace(".", "").replace("-", "");
        return switch (n) {
            case "sd15", "sd1", "sd1x" -> SD15;
            case "sd2", "sd21", "sd2x" -> SD2;
            case "sdxl" -> SDXL;
            case "flux", "sd3pooled" -> FLUX;
            case "sd3", "sd35" -> SD3;
            default -> throw new dev.sdcond.models.InvalidInputException("unknown preset '" + s + "' (sd15, sd2, sdxl, flux, sd3)");
        };
    }

    /**
     * Whether this is SDXL-like (for diffusers' clip_skip convention).
     *
     * @return true for two encoders
     */
    public boolean isSdxl() {
        return encoders.size() == 2;
    }

    /**
     * The pooled vector an encoder gives under a prompt style. ComfyUI and Stability's reference code take SD3's
     * CLIP-L {@code pooler_output} unprojected where diffusers takes its {@code text_embeds}; SD3 single-file
     * checkpoints store that CLIP-L without a {@code text_projection}, which diffusers' loader then sets to the
     * identity: the unprojected vector again (on real SD3 weights the readings agree).
     *
     * @param encoder the encoder's index
     * @param style the prompt style
     * @param hasProjection whether the encoder's checkpoint has a {@code text_projection}
     * @return what it pools, {@link PooledKind#NONE} when the preset takes nothing pooled from it
     */
    public PooledKind pooledKind(int encoder, dev.sdcond.conditioning.prompt.PromptStyle style, boolean hasProjection) {
        if (!pooledFrom.includes(encoder)) {
            return PooledKind.NONE;
        }
        boolean sd3ClipL = this == SD3 && encoder == 0;
        if (sd3ClipL && (style == dev.sdcond.conditioning.prompt.PromptStyle.COMFY || !hasProjection)) {
            return PooledKind.POOLER;
        }
        return pooled;
    }

    /**
     * Whether the preset takes a T5 encoder's tokens (Flux, SD3).
     *
     * @return true for Flux and SD3
     */
    public boolean takesT5() {
        return t5.isPresent();
    }

    /**
     * diffusers' default T5 length ({@code max_sequence_length}): 512 for Flux (FLUX.1-dev), 256 for SD3.
     *
     * @return the length, 0 for presets without T5
     */
    public int defaultT5Length() {
        return t5.map(T5Slot::defaultLength).orElse(0);
    }

    /**
     * ComfyUI's minimum T5 length, up to which it pads (it never cuts): 256 for Flux (dev and schnell), 77 for SD3.
     *
     * @return the length, 0 for presets without T5
     */
    public int comfyT5MinimumLength() {
        return t5.map(T5Slot::comfyMinimumLength).orElse(0);
    }

    @Override
    public String toString() {
        return name;
    }
}
