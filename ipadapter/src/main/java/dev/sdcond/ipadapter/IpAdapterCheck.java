package dev.sdcond.ipadapter;

import dev.sdcond.models.ModelMismatchException;
import dev.sdcond.models.clip.ClipVisionModel;
import dev.sdcond.models.registry.ImageAdapterKind;
import dev.sdcond.models.safetensors.TensorInfo;
import dev.sdcond.models.safetensors.TensorSource;
import java.util.Optional;

/**
 * What image encoder an IP-Adapter checkpoint needs, read from its image projection, and whether a loaded encoder
 * fits.
 *
 * <ul>
 *   <li>IP-Adapter ({@code image_proj.proj.weight} [tokens * cross_dim, P]): takes {@code image_embeds}; P is the
 *       encoder's projection width: 1024 = ViT-H/14 (SD1.5, ip-adapter_sdxl_vit-h), 1280 = ViT-bigG/14
 *       (ip-adapter_sdxl)</li>
 *   <li>IP-Adapter Plus ({@code image_proj.proj_in.weight} [dim, W]): takes the penultimate hidden states; W is the
 *       encoder's width: 1280 = ViT-H/14</li>
 * </ul>
 *
 * @param plus whether the adapter takes hidden states (Plus) rather than image_embeds
 * @param width the width it takes: projection width, or hidden width for Plus
 */
public record IpAdapterCheck(boolean plus, long width) {

    /**
     * Reads an IP-Adapter checkpoint's needs.
     *
     * @param adapter an IP-Adapter checkpoint
     * @return what it needs
     */
    public static IpAdapterCheck of(TensorSource adapter) {
        Optional<TensorInfo> projIn = adapter.info("image_proj.proj_in.weight");
        if (projIn.isPresent()) {
            return new IpAdapterCheck(true, projIn.get().shape()[1]);
        }
        Optional<TensorInfo> proj = adapter.info("image_proj.proj.weight");
        if (proj.isPresent()) {
            return new IpAdapterCheck(false, proj.get().shape()[1]);
        }
        throw new ModelMismatchException(adapter.describe() + ": not an IP-Adapter checkpoint (no image_proj.proj.weight"
                + " or image_proj.proj_in.weight)");
    }

    /**
     * Throws unless the encoder produces what the adapter takes; the message names the encoder needed.
     *
     * @param encoder the loaded image encoder
     * @param adapterName the adapter, for the message
     */
    public void requireFits(ClipVisionModel encoder, String adapterName) {
        long have = plus ? encoder.width() : encoder.projectionDim().orElse(-1);
        if (have != width) {
            String what = plus ? "hidden width" : "projection width (image_embeds)";
            throw new ModelMismatchException(adapterName + " takes an image encoder with " + what + " " + width + " ("
                    + encoderName() + "), but this encoder has " + (have < 0 ? "no projection" : String.valueOf(have)));
        }
    }

    /**
     * The encoder family that fits, in words.
     *
     * @return the family's name and the adapters it serves ({@link ImageAdapterKind#encoderFor})
     */
    public String encoderName() {
        return ImageAdapterKind.encoderFor(plus, width);
    }
}
