package dev.sdcond.conditioning;

import static dev.sdcond.models.Goldens.assertClose;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.sdcond.conditioning.prompt.PromptStyle;
import dev.sdcond.models.Compute;
import dev.sdcond.models.Goldens;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * diffusers' FluxPipeline.encode_prompt on goldens/t5/flux-tiny (assembled through links.json): prompt_embeds = T5 at
 * 512 (dev) and 256 (schnell), pooled = CLIP-L pooler_output, prompts as written (diffusers has no weighting syntax),
 * CLIP ids truncated to 77.
 */
class FluxGoldenTest {
    private static final String G = "t5/flux-tiny/golden_flux.safetensors";
    private static final float ATOL = 1e-4f;

    @Test
    void devAndSchnellMatchDiffusers(@TempDir Path dir) throws IOException {
        Path flux = Goldens.assemblePipeline("t5/flux-tiny", dir.resolve("flux"));
        List<String> prompts = Goldens.prompts("t5/flux-tiny/golden_flux.json");
        EncodeOptions diffusers = EncodeOptions.DEFAULT.withStyle(PromptStyle.PLAIN).withMaxChunks(1);
        try (LoadedTextModel model = TextModels.open(List.of(flux.toString()), Compute.CPU);
                NDManager m = NDManager.newBaseManager()) {
            assertEquals(Preset.FLUX, model.conditioner().preset());
            TextConditioning dev = model.conditioner().encode(m, prompts, null, diffusers).positive();
            assertClose(Goldens.read(m, G, "prompt_embeds"), dev.hiddenStates(), ATOL, "prompt_embeds (512)");
            assertClose(Goldens.read(m, G, "pooled_prompt_embeds"), dev.pooled(), ATOL, "pooled_prompt_embeds");
            List<String> rows = List.of(prompts.get(0), prompts.get(2), prompts.get(5));
            TextConditioning schnell = model.conditioner().withT5Length(256).encode(m, rows, null, diffusers)
                    .positive();
            assertClose(Goldens.read(m, G, "schnell.prompt_embeds"), schnell.hiddenStates(), ATOL, "schnell (256)");
            NDArray pooled = Goldens.read(m, G, "schnell.pooled_prompt_embeds");
            assertClose(pooled, schnell.pooled(), ATOL, "schnell pooled");
            assertTrue(model.description().contains("text_encoder_2 (T5, 3 blocks, width 32)"), model.description());
            // the provenance hash covers the T5 weights too: the CLIP file and the T5 shards, whose 30 tensors
            // (goldens/t5/README: 30 keys for 3 layers) were all read
            assertEquals(2, model.weights().size());
            assertEquals(30, model.weights().stream().filter(w -> w.describe().contains("text_encoder_2")).findFirst()
                    .orElseThrow().tensorsRead());
        }
    }
}
