package dev.sdcond.conditioning;

import dev.sdcond.models.registry.ClipFamily;
import java.util.List;
import java.util.Locale;

/**
 * What each Stable Diffusion family feeds its UNet/transformer from CLIP.
 *
 * @param encoders per text encoder: its padding id and default layer
 * @param pooledFrom which encoder gives the pooled vector (-1 for none, {@link #EVERY_ENCODER} for all, concatenated)
 * @param pooled which pooled vector
 * @param hiddenStates whether the family uses the hidden states (Flux takes only CLIP's pooled vector)
 * @param zeroEmptyNegative diffusers' {@code force_zeros_for_empty_prompt} default
 */
public record Preset(String name, List<EncoderSlot> encoders, int pooledFrom, PooledKind pooled, boolean hiddenStates,
        boolean zeroEmptyNegative) {

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

    /** SD1.x: CLIP-L's last layer with final norm, [77, 768], pad with EOS. */
    public static final Preset SD15 = new Preset("sd15",
            List.of(new EncoderSlot(ClipFamily.CLIP_L_TEXT, LayerSelection.LAST)), -1, PooledKind.NONE, true, false);
    /** SD2.x: OpenCLIP-H's penultimate layer with final norm, [77, 1024], pad with 0. */
    public static final Preset SD2 = new Preset("sd2",
            List.of(new EncoderSlot(ClipFamily.OPENCLIP_H_TEXT, LayerSelection.PENULTIMATE_NORMED)), -1, PooledKind.NONE, true,
            false);
    /** SDXL: [CLIP-L | OpenCLIP-bigG] penultimate layers without final norm, [77, 2048]; pooled = bigG text_embeds. */
    public static final Preset SDXL = new Preset("sdxl",
            List.of(new EncoderSlot(ClipFamily.CLIP_L_TEXT, LayerSelection.PENULTIMATE_RAW),
                    new EncoderSlot(ClipFamily.OPENCLIP_BIGG_TEXT, LayerSelection.PENULTIMATE_RAW)),
            1, PooledKind.PROJECTED, true, true);
    /** Flux (and the CLIP-L half of SD3-style pooled inputs): CLIP-L pooler_output, unprojected, [768]. */
    public static final Preset FLUX = new Preset("flux",
            List.of(new EncoderSlot(ClipFamily.CLIP_L_TEXT, LayerSelection.LAST)), 0, PooledKind.POOLER, false, false);

    /**
     * SD3 / SD3.5: [CLIP-L | OpenCLIP-bigG] penultimate layers without final norm, [77, 2048], zero-padded to the T5
     * width and followed by T5's tokens; pooled = [L | bigG] text_embeds, [2048]. The negative prompt is encoded
     * ("" when absent), never zeroed.
     */
    public static final Preset SD3 = new Preset("sd3",
            List.of(new EncoderSlot(ClipFamily.CLIP_L_TEXT, LayerSelection.PENULTIMATE_RAW),
                    new EncoderSlot(ClipFamily.OPENCLIP_BIGG_TEXT, LayerSelection.PENULTIMATE_RAW)),
            Preset.EVERY_ENCODER, PooledKind.PROJECTED, true, false);

    /** {@code pooledFrom} of a preset that concatenates every encoder's pooled vector (SD3). */
    public static final int EVERY_ENCODER = -2;

    /** Every preset, in the order inference tries them. */
    public static final List<Preset> ALL = List.of(SD15, SD2, SDXL, FLUX, SD3);

    /**
     * Copies the list.
     *
     * @param name the preset's name
     * @param encoders per text encoder: its family and default layer
     * @param pooledFrom which encoder gives the pooled vector (-1 for none, {@link #EVERY_ENCODER} for all, concatenated)
     * @param pooled which pooled vector
     * @param hiddenStates whether the family uses the hidden states
     * @param zeroEmptyNegative diffusers' force_zeros_for_empty_prompt default
     */
    public Preset {
        encoders = List.copyOf(encoders);
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
        if (encoder != pooledFrom && pooledFrom != EVERY_ENCODER) {
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
        return this == FLUX || this == SD3;
    }

    /**
     * diffusers' default T5 length ({@code max_sequence_length}): 512 for Flux (FLUX.1-dev), 256 for SD3.
     *
     * @return the length, 0 for presets without T5
     */
    public int defaultT5Length() {
        return this == FLUX ? 512 : this == SD3 ? 256 : 0;
    }

    /**
     * ComfyUI's minimum T5 length, up to which it pads (it never cuts): 256 for Flux (dev and schnell), 77 for SD3.
     *
     * @return the length, 0 for presets without T5
     */
    public int comfyT5MinimumLength() {
        return this == FLUX ? 256 : this == SD3 ? 77 : 0;
    }

    @Override
    public String toString() {
        return name;
    }
}
