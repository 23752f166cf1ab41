package dev.sdcond.conditioning;

import static dev.sdcond.models.Goldens.assertClose;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import dev.sdcond.conditioning.prompt.PromptStyle;
import dev.sdcond.models.checkpoint.Checkpoints;
import dev.sdcond.models.Compute;
import dev.sdcond.models.Goldens;
import dev.sdcond.models.InvalidInputException;
import dev.sdcond.models.safetensors.SafetensorsFile;
import dev.sdcond.models.safetensors.SafetensorsWriter;
import dev.sdcond.models.safetensors.TensorInfo;
import dev.sdcond.models.safetensors.TensorSource;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * T5 encoders outside diffusers folders, built from the goldens' own tensors: ComfyUI's separate {@code clip_l} and
 * {@code t5xxl_*.safetensors} files (config from the shapes, the tokenizer beside the file or given as a folder), and an
 * SD3 single-file checkpoint ({@code text_encoders.clip_l / clip_g / t5xxl.transformer.*}, beside a UNet); each gives
 * the diffusers goldens of the pipeline folder it was made from.
 */
class T5FilesTest {
    private static final EncodeOptions DIFFUSERS = EncodeOptions.DEFAULT.withStyle(PromptStyle.PLAIN).withMaxChunks(1);

    /** Every tensor of the sources, renamed with their prefixes, in one file (the dtypes and bytes as stored). */
    private static Path merge(Path out, Map<String, Path> sources) {
        SafetensorsWriter w = new SafetensorsWriter();
        List<SafetensorsFile> open = new ArrayList<>();
        try {
            for (Map.Entry<String, Path> e : sources.entrySet()) {
                List<Path> files;
                try (TensorSource src = Checkpoints.open(e.getValue())) {
                    files = src.files();
                }
                for (Path f : files) {
                    SafetensorsFile sf = SafetensorsFile.open(f);
                    open.add(sf);
                    for (TensorInfo t : sf.tensors()) {
                        w.add(e.getKey() + t.name(), t.dtype(), t.shape(), sf.map(t.name()));
                    }
                }
            }
            w.write(out, false);
            return out;
        } finally {
            open.forEach(SafetensorsFile::close);
        }
    }

    @Test
    void comfyUiFluxFilesGiveTheFolderGoldens(@TempDir Path dir) throws IOException {
        Path flux = Goldens.assemblePipeline("t5/flux-tiny", dir.resolve("flux"));
        Path models = Files.createDirectories(dir.resolve("text_encoders"));
        // the tiny CLIP-L keeps its folder (config.json: its width fits no family's head count)
        Path clip = flux.resolve("text_encoder");
        Path t5 = merge(models.resolve("t5xxl_bf16.safetensors"), Map.of("", flux.resolve("text_encoder_2")));
        Path tokenizer = Files.createDirectories(dir.resolve("t5_tokenizer"));
        Files.copy(flux.resolve("tokenizer_2/tokenizer.json"), tokenizer.resolve("tokenizer.json"));
        String g = "t5/flux-tiny/golden_flux.safetensors";
        List<String> prompts = Goldens.prompts("t5/flux-tiny/golden_flux.json");
        try (LoadedTextModel model = TextModels.open(List.of(clip.toString(), t5.toString(), tokenizer.toString()),
                Compute.CPU); NDManager m = NDManager.newBaseManager()) {
            assertEquals(Preset.FLUX, model.conditioner().preset());
            TextConditioning c = model.conditioner().encode(m, prompts, null, DIFFUSERS).positive();
            assertClose(Goldens.read(m, g, "prompt_embeds"), c.hiddenStates(), 1e-4f, "prompt_embeds");
            assertClose(Goldens.read(m, g, "pooled_prompt_embeds"), c.pooled(), 1e-4f, "pooled");
            assertEquals(2, model.weights().size());
        }
        // without a tokenizer: refused, saying where one goes; beside the file: found
        InvalidInputException e = assertThrows(InvalidInputException.class, () -> TextModels.open(List.of(
                clip.toString(), t5.toString()), Compute.CPU));
        assertTrue(e.getMessage().contains("t5xxl_bf16.safetensors: a T5 encoder stored without its tokenizer"),
                e.getMessage());
        Files.copy(tokenizer.resolve("tokenizer.json"), models.resolve("tokenizer.json"));
        try (LoadedTextModel model = TextModels.open(List.of(clip.toString(), t5.toString()), Compute.CPU)) {
            assertTrue(model.conditioner().t5().isPresent());
        }
    }

    @Test
    void anSd3SingleFileGivesTheFolderGoldens(@TempDir Path dir) throws IOException {
        Path sd3 = Goldens.assemblePipeline("t5/sd3-tiny", dir.resolve("sd3"));
        new SafetensorsWriter().addFloats("x_embedder.proj.weight", new long[] {2}, new float[2])
                .write(dir.resolve("unet.safetensors"), false);
        Map<String, Path> parts = new LinkedHashMap<>();
        parts.put("model.diffusion_model.", dir.resolve("unet.safetensors"));
        parts.put("text_encoders.clip_g.transformer.", sd3.resolve("text_encoder_2"));
        parts.put("text_encoders.clip_l.transformer.", sd3.resolve("text_encoder"));
        parts.put("text_encoders.t5xxl.transformer.", sd3.resolve("text_encoder_3"));
        Path out = Files.createDirectories(dir.resolve("checkpoints"));
        Path file = merge(out.resolve("sd3_tiny_incl_clips_t5.safetensors"), parts);
        Files.copy(sd3.resolve("tokenizer_3/tokenizer.json"), out.resolve("tokenizer.json"));
        String g = "t5/sd3-tiny/golden_sd3.safetensors";
        List<String> prompts = Goldens.prompts("t5/sd3-tiny/golden_sd3.json");
        // the tiny CLIP widths (32, 40) fit no family's head count, so this file's CLIP towers cannot load without
        // configs; what is new here is checked: the towers found, in the presets' order, and the T5 inside
        try (TensorSource src = Checkpoints.open(file); NDManager m = NDManager.newBaseManager()) {
            List<dev.sdcond.models.layout.DetectedTower> towers = dev.sdcond.models.layout.LayoutDetector.towers(src);
            assertEquals(List.of("text_encoders.clip_l.transformer.", "text_encoders.clip_g.transformer.",
                    "text_encoders.clip_l.transformer."), towers.stream().map(
                    dev.sdcond.models.layout.DetectedTower::prefix).toList()); // text (L, G), then clip-tiny-a's vision
            assertTrue(towers.get(0).where().startsWith("SD3 single file"), towers.get(0).where());
            List<AutoCloseable> resources = new ArrayList<>();
            try {
                T5Encoder t5 = T5Models.inCheckpoint(src, file, java.util.Optional.empty(), Compute.CPU, resources)
                        .orElseThrow().withLength(256);
                assertEquals(20, t5.model().config().dKv()); // from the shapes: [32 buckets, 4 heads], q [80, 80]
                ai.djl.ndarray.NDArray h = t5.encode(m, prompts, PromptStyle.PLAIN, 77).hidden();
                assertClose(Goldens.read(m, g, "prompt_embeds").get(":, 77:"), h, 1e-4f, "T5 rows");
            } finally {
                for (AutoCloseable c : resources) {
                    try {
                        c.close();
                    } catch (Exception ignored) {
                        // closing a test resource
                    }
                }
            }
            assertTrue(dev.sdcond.models.layout.LayoutDetector.otherParts(src).contains(
                    "a T5 encoder (text_encoders.t5xxl.transformer.)"));
        }
    }
}
