package dev.sdcond.models.registry;

import dev.sdcond.models.InvalidInputException;
import dev.sdcond.models.layout.TowerKind;
import java.util.Arrays;
import java.util.List;

/**
 * The builtin models ({@code builtin:NAME}): the real architectures with seeded random weights and the bundled CLIP
 * tokenizer, for trying the toolkit and measuring it without downloading a checkpoint.
 */
public enum Builtin {
    /** SD1.x: CLIP-L. */
    SD15_RANDOM("sd15-random", "sd15", ClipFamily.CLIP_L_TEXT),
    /** SD2.x: OpenCLIP-H (all 24 layers). */
    SD2_RANDOM("sd2-random", "sd2", ClipFamily.OPENCLIP_H_TEXT),
    /** SDXL: CLIP-L and OpenCLIP-bigG with its text projection. */
    SDXL_RANDOM("sdxl-random", "sdxl", ClipFamily.CLIP_L_TEXT, ClipFamily.OPENCLIP_BIGG_TEXT),
    /** Flux: CLIP-L (pooled) and T5-XXL. */
    FLUX_RANDOM("flux-random", "flux", T5Family.XXL, ClipFamily.CLIP_L_TEXT),
    /** Flux with the small stand-in T5 ({@link T5Family#SMALL}), for quick plumbing tests. */
    FLUX_RANDOM_SMALL_T5("flux-random-small-t5", "flux", T5Family.SMALL, ClipFamily.CLIP_L_TEXT),
    /** SD3 / SD3.5: CLIP-L and OpenCLIP-bigG with their projections, and T5-XXL. */
    SD3_RANDOM("sd3-random", "sd3", T5Family.XXL, ClipFamily.CLIP_L_TEXT, ClipFamily.OPENCLIP_BIGG_TEXT),
    /** SD3 with the small stand-in T5 ({@link T5Family#SMALL}), for quick plumbing tests. */
    SD3_RANDOM_SMALL_T5("sd3-random-small-t5", "sd3", T5Family.SMALL, ClipFamily.CLIP_L_TEXT,
            ClipFamily.OPENCLIP_BIGG_TEXT),
    /** The IP-Adapter image encoder of SD1.5 and the Plus models. */
    VIT_H_RANDOM("vit-h-random", null, ClipFamily.OPENCLIP_H_VISION),
    /** The image encoder of ip-adapter_sdxl. */
    VIT_BIGG_RANDOM("vit-bigg-random", null, ClipFamily.OPENCLIP_BIGG_VISION);

    /** What a builtin model's spec starts with. */
    public static final String PREFIX = "builtin:";
    /** The seed of the random weights (tower i of a model uses seed + i). */
    public static final long SEED = 0;

    private final String id;
    private final String preset;
    private final List<ClipFamily> towers;
    private final T5Family t5;

    Builtin(String id, String preset, ClipFamily... towers) {
        this(id, preset, null, towers);
    }

    Builtin(String id, String preset, T5Family t5, ClipFamily... towers) {
        this.id = id;
        this.preset = preset;
        this.t5 = t5;
        this.towers = List.of(towers);
    }

    /**
     * The T5 encoder of a Flux or SD3 model (random weights, kept in bfloat16 as the real T5-XXL is shipped, with a
     * stand-in tokenizer).
     *
     * @return its family, or empty
     */
    public java.util.Optional<T5Family> t5() {
        return java.util.Optional.ofNullable(t5);
    }

    /**
     * The model's spec.
     *
     * @return e.g. {@code builtin:sd15-random}
     */
    public String spec() {
        return PREFIX + id;
    }

    /**
     * The conditioning preset of a text model.
     *
     * @return e.g. {@code sdxl}; null for an image encoder
     */
    public String preset() {
        return preset;
    }

    /**
     * The towers, in the order of the preset's encoders.
     *
     * @return one family per tower
     */
    public List<ClipFamily> towers() {
        return towers;
    }

    /**
     * Whether this is a text model or an image encoder.
     *
     * @return the kind of its towers
     */
    public TowerKind kind() {
        return towers.get(0).kind();
    }

    /**
     * Whether a model spec names a builtin model.
     *
     * @param spec a model spec
     * @return whether it starts with {@code builtin:}
     */
    public static boolean isBuiltin(String spec) {
        return spec.startsWith(PREFIX);
    }

    /**
     * The builtin model of a spec and kind.
     *
     * @param spec {@code builtin:NAME}
     * @param kind the kind the caller loads, or null for any
     * @return the model
     * @throws InvalidInputException for an unknown name, listing those of the kind
     */
    public static Builtin parse(String spec, TowerKind kind) {
        for (Builtin b : values()) {
            if (b.spec().equals(spec) && (kind == null || b.kind() == kind)) {
                return b;
            }
        }
        String what = kind == null ? "model" : kind == TowerKind.TEXT ? "text model" : "image encoder";
        throw new InvalidInputException("unknown builtin " + what + " '" + spec + "' (" + String.join(", ",
                Arrays.stream(values()).filter(b -> kind == null || b.kind() == kind).map(Builtin::spec).toList())
                + ")");
    }
}
