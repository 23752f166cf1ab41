package dev.sdcond.models.config;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;

/** The MLP activation of a CLIP tower, by its Hugging Face {@code hidden_act} name. */
public enum Activation {
    /** {@code x * sigmoid(1.702 x)}: OpenAI CLIP (SD1.x's CLIP-L). */
    QUICK_GELU("quick_gelu"),
    /** The exact (erf) GELU: OpenCLIP models (SD2.x, SDXL's bigG, ViT-H). */
    GELU("gelu");

    private final String hfName;

    Activation(String hfName) {
        this.hfName = hfName;
    }

    /**
     * The name in Hugging Face configs.
     *
     * @return e.g. {@code quick_gelu}
     */
    @JsonValue
    public String hfName() {
        return hfName;
    }

    /**
     * The activation's name in sdcond's layer kernel ({@code kernels.py}): quick_gelu runs as {@code swish}
     * ({@code z * sigmoid(z)}) on weights with its 1.702 folded into fc1 and fc2 ({@code ClipMlp}), the exact GELU as
     * {@code gelu}; oneDNN fuses either into fc1's product.
     *
     * @return {@code swish} or {@code gelu}
     */
    public String layerKernelName() {
        return this == QUICK_GELU ? "swish" : "gelu";
    }

    /**
     * The activation a config names.
     *
     * @param name the config's {@code hidden_act}
     * @return the activation
     * @throws IllegalArgumentException for an unknown name
     */
    @JsonCreator
    public static Activation fromHfName(String name) {
        for (Activation a : values()) {
            if (a.hfName.equals(name)) {
                return a;
            }
        }
        throw new IllegalArgumentException("unsupported hidden_act '" + name + "' (supported: quick_gelu, gelu)");
    }
}
