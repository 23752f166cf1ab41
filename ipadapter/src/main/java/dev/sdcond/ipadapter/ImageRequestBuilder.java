package dev.sdcond.ipadapter;

import dev.sdcond.ipadapter.image.AlphaMode;
import dev.sdcond.ipadapter.image.ImageLoader;
import dev.sdcond.ipadapter.preprocess.CropPosition;
import dev.sdcond.ipadapter.preprocess.ResizeMode;
import dev.sdcond.models.AttentionKernel;
import dev.sdcond.models.InvalidInputException;
import dev.sdcond.models.LinearKernel;
import dev.sdcond.models.Precision;
import java.util.Optional;

/**
 * Builds an {@link ImageRequest} in DJL's {@code Criteria} style: {@code set*} for what is required (the model),
 * {@code opt*} for the rest; {@link #build()} checks every value.
 */
public final class ImageRequestBuilder {
    private String model;
    private ResizeMode mode = ResizeMode.HF;
    private CropPosition crop = CropPosition.CENTER;
    private int layer = ImageRequest.PENULTIMATE;
    private Optional<String> uncond = Optional.empty();
    private AlphaMode alpha = AlphaMode.DROP;
    private long maxPixels = ImageLoader.PILLOW_MAX_PIXELS;
    private Precision dtype = Precision.FLOAT32;
    private AttentionKernel attention = AttentionKernel.FUSED;
    private LinearKernel linear = LinearKernel.AUTO;

    ImageRequestBuilder() {
    }

    ImageRequestBuilder(ImageRequest r) {
        model = r.model();
        mode = r.mode();
        crop = r.crop();
        layer = r.layer();
        uncond = r.uncond();
        alpha = r.alpha();
        maxPixels = r.maxPixels();
        dtype = r.dtype();
        attention = r.attention();
        linear = r.linear();
    }

    /**
     * The image encoder (required): a folder, a diffusers pipeline or IP-Adapter repository folder, an OpenCLIP file,
     * or {@code builtin:NAME}.
     *
     * @param spec the encoder
     * @return this builder
     */
    public ImageRequestBuilder setModel(String spec) {
        model = spec;
        return this;
    }

    /**
     * The resize mode (default {@link ResizeMode#HF}, transformers' {@code CLIPImageProcessor}).
     *
     * @param m the mode
     * @return this builder
     */
    public ImageRequestBuilder optMode(ResizeMode m) {
        mode = m;
        return this;
    }

    /**
     * The crop position for {@link ResizeMode#HF} (default center).
     *
     * @param c the position
     * @return this builder
     */
    public ImageRequestBuilder optCrop(CropPosition c) {
        crop = c;
        return this;
    }

    /**
     * The hidden state kept (default -2, the penultimate).
     *
     * @param index a {@code hidden_states} index, negative from the end
     * @return this builder
     */
    public ImageRequestBuilder optLayer(int index) {
        layer = index;
        return this;
    }

    /**
     * The negative (default none): {@code zeros} (diffusers' IP-Adapter), {@code zero-pixels} (its Plus models),
     * {@code black} (ComfyUI_IPAdapter_plus) or an image file.
     *
     * @param spec the negative
     * @return this builder
     */
    public ImageRequestBuilder optUncond(String spec) {
        uncond = Optional.of(spec);
        return this;
    }

    /**
     * What happens to an alpha channel (default: dropped, as Pillow's {@code convert("RGB")}).
     *
     * @param a the rule
     * @return this builder
     */
    public ImageRequestBuilder optAlpha(AlphaMode a) {
        alpha = a;
        return this;
    }

    /**
     * Refuse images with more pixels (default Pillow's 89,478,485).
     *
     * @param max the limit
     * @return this builder
     */
    public ImageRequestBuilder optMaxPixels(long max) {
        maxPixels = max;
        return this;
    }

    /**
     * The dtype the tower computes in (default float32).
     *
     * @param d the dtype
     * @return this builder
     */
    public ImageRequestBuilder optDtype(Precision d) {
        dtype = d;
        return this;
    }

    /**
     * The attention kernel (default fused).
     *
     * @param k the kernel
     * @return this builder
     */
    public ImageRequestBuilder optAttention(AttentionKernel k) {
        attention = k;
        return this;
    }

    /**
     * The products' kernel (default {@code auto}, chosen per shape by a check and a measurement on this machine).
     *
     * @param k the kernel
     * @return this builder
     */
    public ImageRequestBuilder optLinear(LinearKernel k) {
        linear = k;
        return this;
    }

    /**
     * The request, checked.
     *
     * @return the request
     * @throws InvalidInputException for a missing model or a bad value
     */
    public ImageRequest build() {
        if (model == null) {
            throw new InvalidInputException("no image encoder given (setModel)");
        }
        return new ImageRequest(model, mode, crop, layer, uncond, alpha, maxPixels, dtype, attention, linear);
    }
}
