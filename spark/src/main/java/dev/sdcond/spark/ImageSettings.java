package dev.sdcond.spark;

import dev.sdcond.ipadapter.LoadedVisionModel;
import dev.sdcond.ipadapter.VisionModels;
import dev.sdcond.ipadapter.image.ImageLoader;
import dev.sdcond.ipadapter.preprocess.ClipImageProcessor;
import dev.sdcond.ipadapter.preprocess.CropPosition;
import dev.sdcond.ipadapter.preprocess.ResizeMode;
import dev.sdcond.models.Compute;
import dev.sdcond.models.InvalidInputException;
import dev.sdcond.models.Precision;
import java.io.Serializable;

/**
 * Everything that decides an image encoder and its outputs, shipped to the executors; the words are
 * {@code encode-image}'s.
 *
 * @param model the image encoder spec
 * @param mode the resize mode ({@code hf}, {@code comfy}, ...)
 * @param crop the crop position ({@code center}, ...)
 * @param layer the hidden state kept: -2 (the penultimate, IP-Adapter Plus's input) or an index from 0
 * @param uncond the negative ({@code zeros}, {@code zero-pixels}, {@code black}, an image file every executor can read),
 *     or null for none
 * @param computeDtype the dtype the tower computes in
 */
public record ImageSettings(String model, String mode, String crop, int layer, String uncond, String computeDtype)
        implements Serializable {

    /**
     * Checks every value on the driver.
     *
     * @throws InvalidInputException naming the bad value
     */
    public void check() {
        ResizeMode.parse(mode);
        CropPosition.parse(crop);
        Precision.parse(computeDtype);
        if (layer < 0 && layer != -2) {
            throw new InvalidInputException("layer " + layer + ": -2 (the penultimate) or an index from 0");
        }
        if (uncond != null) {
            dev.sdcond.ipadapter.Uncond.parse(uncond, ImageLoader.DEFAULT);
        }
    }

    /**
     * The hidden state's column name, as {@code encode-image} names it.
     *
     * @return {@code penultimate_hidden_states} or {@code hidden_states_layer_N}
     */
    String hiddenName() {
        return layer == -2 ? "penultimate_hidden_states" : "hidden_states_layer_" + layer;
    }

    LoadedVisionModel load(ai.djl.Device device) {
        return VisionModels.open(model, new Compute(device, Precision.parse(computeDtype)));
    }

    ClipImageProcessor processor(int imageSize) {
        return ClipImageProcessor.hf(imageSize).withMode(ResizeMode.parse(mode)).withCrop(CropPosition.parse(crop));
    }
}
