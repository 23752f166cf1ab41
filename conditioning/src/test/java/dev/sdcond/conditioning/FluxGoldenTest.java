package dev.sdcond.conditioning;

import static dev.sdcond.models.Goldens.assertClose;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
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

    @Test
    void theT5IdsAndMaskAreTheTokenizersOwn(@TempDir Path dir) throws IOException {
        Path flux = Goldens.assemblePipeline("t5/flux-tiny", dir.resolve("flux"));
        var cases = new com.fasterxml.jackson.databind.ObjectMapper().readTree(
                Goldens.path("t5/tokenizer/cases.json").toFile()).get("cases");
        List<String> prompts = new java.util.ArrayList<>();
        List<long[]> expected = new java.util.ArrayList<>();
        List<Integer> lengths = new java.util.ArrayList<>();
        for (var c : cases) {
            if (c.path("agree_tokenizer_json").asBoolean(true)) {
                prompts.add(c.get("prompt").asText());
                long[] ids = new long[256];
                for (int i = 0; i < 256; i++) {
                    ids[i] = c.get("ids256").get(i).asLong();
                }
                expected.add(ids);
                lengths.add(c.get("n_ids").asInt());
            }
        }
        TextRequest request = TextRequest.builder().setModels(flux.toString()).optStyle(PromptStyle.PLAIN)
                .optMaxChunks(1).optT5Length(256).build();
        try (Conditioning c = Conditioning.open(request)) {
            List<Conditioning.Result> results = c.encodeBatch(prompts.subList(0, 1), null);
            for (int i = 0; i < prompts.size(); i++) {
                Conditioning.Result r = i == 0 ? results.get(0) : c.encodeBatch(List.of(prompts.get(i)), null).get(0);
                assertArrayEquals(expected.get(i), r.t5InputIds(), prompts.get(i));
                long[] mask = new long[256]; // transformers' attention_mask: the ids before padding, </s> included
                java.util.Arrays.fill(mask, 0, Math.min(lengths.get(i), 256), 1L);
                assertArrayEquals(mask, r.t5AttentionMask(), prompts.get(i));
            }
        }
    }
}
