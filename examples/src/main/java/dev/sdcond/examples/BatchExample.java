package dev.sdcond.examples;

import dev.sdcond.conditioning.Conditioning;
import dev.sdcond.conditioning.TextRequest;
import dev.sdcond.ipadapter.ImageConditioning;
import dev.sdcond.ipadapter.ImageRequest;
import dev.sdcond.models.FloatTensor;
import dev.sdcond.models.lora.LoraSpec;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import javax.imageio.ImageIO;

/**
 * Batches as a pipeline has them: SDXL prompts with a LoRA merged into the text encoders, in one pass, and images the
 * application already decoded ({@code BufferedImage}s) for IP-Adapter Plus, with the zero-pixel negative (encoded once
 * per {@link ImageConditioning}). No DJL type appears here.
 *
 * <p>Usage: {@code BatchExample SDXL LORA IMAGE_ENCODER IMAGE...} (SDXL: a diffusers pipeline folder or a
 * single-file checkpoint; LORA: a kohya or diffusers/PEFT LoRA file).
 */
public final class BatchExample {
    private BatchExample() {}

    /**
     * Runs the example.
     *
     * @param args the SDXL model, a LoRA, an image encoder and image files
     * @throws IOException when an image file cannot be read
     */
    public static void main(String[] args) throws IOException {
        if (args.length < 4) {
            System.err.println("usage: BatchExample SDXL LORA IMAGE_ENCODER IMAGE...");
            System.exit(2);
        }
        run(args, System.out);
    }

    /**
     * Encodes two prompts and the images, and prints what a pipeline would receive.
     *
     * @param args as for {@link #main}
     * @param out where the shapes go
     * @throws IOException when an image file cannot be read
     */
    static void run(String[] args, PrintStream out) throws IOException {
        TextRequest text = TextRequest.builder().setModels(args[0])
                .addLora(new LoraSpec(Path.of(args[1]), 0.8)).build();
        ImageRequest image = ImageRequest.builder().setModel(args[2]).optUncond("zero-pixels").build();
        List<BufferedImage> decoded = new ArrayList<>(); // as an application holds them
        for (int i = 3; i < args.length; i++) {
            decoded.add(ImageIO.read(Path.of(args[i]).toFile()));
        }
        try (Conditioning sdxl = Conditioning.open(text); ImageConditioning encoder = ImageConditioning.open(image)) {
            List<Conditioning.Result> prompts = sdxl.encodeBatch(List.of("a (red:1.2) fox in the snow",
                    "a lighthouse at dusk, oil painting"), List.of("blurry", "blurry"));
            for (Conditioning.Result r : prompts) {
                describe(out, "prompt_embeds", r.hiddenStates());
                describe(out, "pooled_prompt_embeds", r.pooled());
            }
            ImageConditioning.Result images = encoder.encodeImages(decoded);
            describe(out, "ip_adapter_plus_image_embeds", images.hiddenStates());
            describe(out, "ip_adapter_plus_uncond_image_embeds", images.uncondHiddenStates());
        }
    }

    private static void describe(PrintStream out, String name, FloatTensor t) {
        out.println(name + " " + Arrays.toString(t.shape()));
    }
}
