package dev.sdcond.examples;

import dev.sdcond.conditioning.Conditioning;
import dev.sdcond.conditioning.TextRequest;
import dev.sdcond.ipadapter.ImageConditioning;
import dev.sdcond.ipadapter.Uncond;
import dev.sdcond.models.Compute;
import dev.sdcond.models.FloatTensor;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

/**
 * What a Java diffusion pipeline does with sdcond: SDXL text conditioning for a prompt and its negative, and
 * IP-Adapter Plus image embeddings for a reference image, all as plain float arrays ready to hand to a UNet. No DJL
 * type appears here.
 *
 * <p>Usage: {@code PipelineExample CLIP_L_FOLDER BIGG_FOLDER IMAGE_ENCODER_FOLDER IMAGE PROMPT NEGATIVE}
 * (SDXL from a diffusers pipeline: give its {@code text_encoder} and {@code text_encoder_2} folders).
 */
public final class PipelineExample {
    private PipelineExample() {}

    public static void main(String[] args) {
        if (args.length != 6) {
            System.err.println("usage: PipelineExample CLIP_L BIGG IMAGE_ENCODER IMAGE PROMPT NEGATIVE");
            System.exit(2);
        }
        run(args, System.out);
    }

    /** Conditions one prompt and one image, and prints what a pipeline would receive. */
    static void run(String[] args, PrintStream out) {
        try (Conditioning text = Conditioning.open(TextRequest.builder().setModels(args[0], args[1]).build());
                ImageConditioning image = ImageConditioning.open(args[2], Compute.CPU, new Uncond.ZeroPixels())) {
            Conditioning.Result c = text.encode(args[4], args[5]);
            ImageConditioning.Result i = image.encode(List.of(Path.of(args[3])));
            describe(out, "prompt_embeds", c.hiddenStates());
            describe(out, "pooled_prompt_embeds", c.pooled());
            describe(out, "negative_prompt_embeds", c.negativeHiddenStates());
            describe(out, "negative_pooled_prompt_embeds", c.negativePooled());
            describe(out, "ip_adapter_plus_image_embeds", i.hiddenStates());
            describe(out, "ip_adapter_plus_uncond_image_embeds", i.uncondHiddenStates());
        }
    }

    private static void describe(PrintStream out, String name, FloatTensor t) {
        float[] v = t.values();
        double sum = 0;
        for (float x : v) {
            sum += x;
        }
        out.printf(java.util.Locale.ROOT, "%s %s mean %.6f%n", name, Arrays.toString(t.shape()), sum / v.length);
    }
}
