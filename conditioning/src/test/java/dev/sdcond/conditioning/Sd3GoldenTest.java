package dev.sdcond.conditioning;

import static dev.sdcond.models.Goldens.assertClose;
import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.djl.ndarray.NDManager;
import dev.sdcond.conditioning.prompt.PromptStyle;
import dev.sdcond.models.Compute;
import dev.sdcond.models.Goldens;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * diffusers' StableDiffusion3Pipeline.encode_prompt on goldens/t5/sd3-tiny: [CLIP-L | bigG] penultimate zero-padded to
 * the T5 width, then T5 at 256; pooled [L | bigG] projected; an absent negative is the encoding of "" (not zeros).
 */
class Sd3GoldenTest {
    private static final String G = "t5/sd3-tiny/golden_sd3.safetensors";
    private static final float ATOL = 1e-4f;

    @Test
    void promptsAndTheEmptyNegativeMatchDiffusers(@TempDir Path dir) throws IOException {
        Path sd3 = Goldens.assemblePipeline("t5/sd3-tiny", dir.resolve("sd3"));
        List<String> prompts = Goldens.prompts("t5/sd3-tiny/golden_sd3.json");
        EncodeOptions diffusers = EncodeOptions.DEFAULT.withStyle(PromptStyle.PLAIN).withMaxChunks(1);
        try (LoadedTextModel model = TextModels.open(List.of(sd3.toString()), Compute.CPU);
                NDManager m = NDManager.newBaseManager()) {
            assertEquals(Preset.SD3, model.conditioner().preset());
            TextConditioner.Result r = model.conditioner().encode(m, prompts,
                    Collections.nCopies(prompts.size(), (String) null), diffusers);
            assertClose(Goldens.read(m, G, "prompt_embeds"), r.positive().hiddenStates(), ATOL, "prompt_embeds");
            assertClose(Goldens.read(m, G, "pooled_prompt_embeds"), r.positive().pooled(), ATOL, "pooled");
            for (int i = 0; i < prompts.size(); i++) {
                String row = i + ":" + (i + 1);
                assertClose(Goldens.read(m, G, "negative_prompt_embeds"), r.negative().hiddenStates().get(row), ATOL,
                        "negative_prompt_embeds row " + i);
                assertClose(Goldens.read(m, G, "negative_pooled_prompt_embeds"), r.negative().pooled().get(row), ATOL,
                        "negative_pooled_prompt_embeds row " + i);
            }
            // clip_skip=1 (hidden_states[-3]) for the prompt; the negative keeps the penultimate layer, as diffusers
            TextConditioner.Result skip = model.conditioner().encode(m, List.of(prompts.get(0)),
                    List.of("blurry, low quality"), diffusers.withLayer(LayerSelection.diffusersClipSkip(1, true)));
            for (String k : List.of("prompt_embeds", "pooled_prompt_embeds")) {
                TextConditioning c = skip.positive();
                TextConditioning n = skip.negative();
                assertClose(Goldens.read(m, G, "clip_skip_1." + k), k.startsWith("pooled") ? c.pooled()
                        : c.hiddenStates(), ATOL, "clip_skip_1." + k);
                assertClose(Goldens.read(m, G, "clip_skip_1.negative_" + k), k.startsWith("pooled") ? n.pooled()
                        : n.hiddenStates(), ATOL, "clip_skip_1.negative_" + k);
            }
        }
    }

    /**
     * SD3 single files store CLIP-L without text_projection, which diffusers' loader sets to the identity: the pooled
     * half is then the unprojected pooler_output (the goldens' comfyui.pooled_clip_l_unprojected).
     */
    @Test
    void aClipLWithoutProjectionGivesItsUnprojectedPooledVector(@TempDir Path dir) throws IOException {
        Path sd3 = Goldens.assemblePipeline("t5/sd3-tiny", dir.resolve("sd3"));
        Path clipL = sd3.resolve("text_encoder/model.safetensors");
        Path copy = dir.resolve("clip_l.safetensors");
        dev.sdcond.models.safetensors.SafetensorsWriter w = new dev.sdcond.models.safetensors.SafetensorsWriter();
        try (dev.sdcond.models.safetensors.SafetensorsFile f = dev.sdcond.models.safetensors.SafetensorsFile.open(clipL)) {
            for (dev.sdcond.models.safetensors.TensorInfo t : f.tensors()) {
                if (!t.name().equals("text_projection.weight")) {
                    w.add(t.name(), t.dtype(), t.shape(), f.map(t.name()));
                }
            }
            w.write(copy, false);
        }
        java.nio.file.Files.move(copy, clipL, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        try (LoadedTextModel model = TextModels.open(List.of(sd3.toString()), Compute.CPU);
                NDManager m = NDManager.newBaseManager()) {
            EncodeOptions diffusers = EncodeOptions.DEFAULT.withStyle(PromptStyle.PLAIN).withMaxChunks(1);
            ai.djl.ndarray.NDArray pooled = model.conditioner().encode(m, List.of("a photo of a cat"), null, diffusers)
                    .positive().pooled();
            assertClose(Goldens.read(m, G, "comfyui.pooled_clip_l_unprojected").get("0:1"), pooled.get(":, 0:32"),
                    ATOL, "CLIP-L half");
            assertClose(Goldens.read(m, G, "pooled_prompt_embeds").get("0:1, 16:"), pooled.get(":, 32:"), ATOL,
                    "bigG half");
        }
    }
}
