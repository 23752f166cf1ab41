package dev.sdcond.examples;

import dev.sdcond.conditioning.Conditioning;
import dev.sdcond.ipadapter.ImageConditioning;
import dev.sdcond.models.FloatTensor;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

/** The README's library example: SDXL text conditioning and IP-Adapter image embeddings as plain arrays. */
public final class ReadmeExample {
    private ReadmeExample() {}

    /**
     * Runs the example.
     *
     * @param args an SDXL pipeline folder, an image encoder folder and an image (defaults: the paths below)
     */
    public static void main(String[] args) {
        Path sdxl = Path.of(args.length > 0 ? args[0] : "/models/stable-diffusion-xl-base-1.0");
        Path imageEncoder = Path.of(args.length > 1 ? args[1] : "/models/IP-Adapter/models/image_encoder");
        Path image = Path.of(args.length > 2 ? args[2] : "cat.jpg");
        try (Conditioning text = Conditioning.open(sdxl);
                ImageConditioning images = ImageConditioning.open(imageEncoder)) {
            Conditioning.Result c = text.encode("a (red:1.2) fox", "blurry");
            FloatTensor promptEmbeds = c.hiddenStates();          // [1, 77, 2048]
            FloatTensor pooledPromptEmbeds = c.pooled();          // [1, 1280]
            FloatTensor negativePromptEmbeds = c.negativeHiddenStates();
            ImageConditioning.Result i = images.encode(List.of(image));
            FloatTensor ipAdapterEmbeds = i.imageEmbeds();        // [1, 1024]       IP-Adapter
            FloatTensor ipAdapterPlusEmbeds = i.hiddenStates();   // [1, 257, 1280]  IP-Adapter Plus
            float[] values = promptEmbeds.values();               // row-major, ready for a UNet
            for (FloatTensor t : List.of(promptEmbeds, pooledPromptEmbeds, negativePromptEmbeds, ipAdapterEmbeds,
                    ipAdapterPlusEmbeds)) {
                System.out.println(Arrays.toString(t.shape()));
            }
            System.out.println(values.length + " values");
        }
    }
}
