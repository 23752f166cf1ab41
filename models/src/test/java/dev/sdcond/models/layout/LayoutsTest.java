package dev.sdcond.models.layout;

import dev.sdcond.models.registry.DerivedConfigs;
import static dev.sdcond.models.Goldens.ATOL;
import static dev.sdcond.models.Goldens.assertClose;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import dev.sdcond.models.checkpoint.ClipCheckpoint;
import dev.sdcond.models.Compute;
import dev.sdcond.models.Goldens;
import dev.sdcond.models.checkpoint.HfCheckpoint;
import dev.sdcond.models.ModelMismatchException;
import dev.sdcond.models.clip.ClipOutput;
import dev.sdcond.models.clip.ClipTextModel;
import dev.sdcond.models.clip.ClipVisionModel;
import dev.sdcond.models.clip.OutputRequest;
import dev.sdcond.models.config.CLIPTextConfig;
import dev.sdcond.models.safetensors.DType;
import dev.sdcond.models.safetensors.SafetensorsFile;
import dev.sdcond.models.safetensors.SafetensorsWriter;
import dev.sdcond.models.safetensors.TensorInfo;
import dev.sdcond.models.safetensors.TensorSource;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** OpenCLIP files, single-file SD checkpoints and converted copies, all against the goldens. */
class LayoutsTest {
    private static final String OC = "openclip-tiny/";

    @TempDir
    Path tmp;

    /** Copies every tensor of {@code from} into {@code to}, renaming keys (null drops) as float32 or float16. */
    private static void copy(Path from, SafetensorsWriter to, Function<String, String> rename, DType as) {
        try (SafetensorsFile f = SafetensorsFile.open(from); NDManager m = NDManager.newBaseManager()) {
            for (TensorInfo t : f.tensors()) {
                String k = rename.apply(t.name());
                if (k != null) {
                    to.add(k, f.load(t.name(), m, as == DType.F16 ? DataType.FLOAT16 : DataType.FLOAT32));
                }
            }
        }
    }

    private static void checkOpenClipText(ClipTextModel tower, float atol) {
        String g = OC + "golden_text_prompts.safetensors";
        try (NDManager m = NDManager.newBaseManager()) {
            ClipOutput out = tower.forward(m, Goldens.readIds(m, g, "input_ids"), OutputRequest.everything());
            for (int i = 0; i <= tower.numLayers(); i++) {
                assertClose(Goldens.read(m, g, "hidden_states." + i), out.hiddenState(i), atol, "hidden_states." + i);
            }
            assertClose(Goldens.read(m, g, "last_hidden_state"), out.lastHiddenState(), atol, "last_hidden_state");
            assertClose(Goldens.read(m, g, "text_embeds"), out.projected(), atol, "text_embeds");
        }
    }

    private static void checkOpenClipVision(ClipVisionModel tower, float atol) {
        String g = OC + "golden_vision.safetensors";
        try (NDManager m = NDManager.newBaseManager()) {
            ClipOutput out = tower.forward(m, Goldens.read(m, g, "pixel_values"), OutputRequest.everything());
            for (int i = 0; i <= tower.numLayers(); i++) {
                assertClose(Goldens.read(m, g, "hidden_states." + i), out.hiddenState(i), atol, "hidden_states." + i);
            }
            assertClose(Goldens.read(m, g, "image_embeds"), out.projected(), atol, "image_embeds");
        }
    }

    @Test
    void openClipFileLoadsDirectly() {
        try (ClipCheckpoint c = ClipCheckpoint.open(Goldens.path(OC + "open_clip_model.safetensors"))) {
            assertEquals(2, c.towers().size());
            try (ClipTextModel t = c.loadText(0, Compute.CPU); ClipVisionModel v = c.loadVision(Compute.CPU)) {
                assertEquals(4, t.config().numAttentionHeads());
                checkOpenClipText(t, ATOL);
                checkOpenClipVision(v, ATOL);
            }
        }
    }

    @Test
    void openClipFolderLoadsToo() {
        try (ClipCheckpoint c = ClipCheckpoint.open(Goldens.path("openclip-tiny")); ClipTextModel t = c.loadText(0, Compute.CPU)) {
            checkOpenClipText(t, ATOL);
        }
    }

    /** The OpenCLIP tiny model inside an SD2.x or SDXL single file (with open_clip_config.json beside it). */
    private Path prefixed(String name, String prefix, boolean withUnet) throws IOException {
        Path dir = Files.createDirectories(tmp.resolve(name));
        SafetensorsWriter w = new SafetensorsWriter();
        copy(Goldens.path(OC + "open_clip_model.safetensors"), w, k -> k.startsWith("visual.") ? null : prefix + k, DType.F32);
        if (withUnet) {
            w.addFloats("model.diffusion_model.input_blocks.0.0.weight", new long[] {4}, new float[4]);
            w.addFloats("first_stage_model.decoder.conv_in.weight", new long[] {4}, new float[4]);
        }
        Path file = dir.resolve(name + ".safetensors");
        w.write(file, false);
        Files.copy(Goldens.path(OC + "open_clip_config.json"), dir.resolve("open_clip_config.json"));
        return file;
    }

    @Test
    void sd2AndSdxlSingleFilesFindTheOpenClipTower() throws IOException {
        for (String[] v : new String[][] {{"sd2", "cond_stage_model.model."}, {"sdxl", "conditioner.embedders.1.model."}}) {
            try (ClipCheckpoint c = ClipCheckpoint.open(prefixed(v[0], v[1], true))) {
                DetectedTower t = c.towers().get(0);
                assertEquals(KeyLayout.OPENCLIP, t.layout());
                assertEquals(v[1], t.prefix());
                try (ClipTextModel tower = c.loadText(0, Compute.CPU)) {
                    checkOpenClipText(tower, ATOL);
                }
            }
        }
    }

    @Test
    void onlyTheTowersTensorsAreRead() throws IOException {
        Path file = prefixed("sdxl", "conditioner.embedders.1.model.", true);
        Set<String> loaded = new HashSet<>();
        try (SafetensorsFile f = SafetensorsFile.open(file)) {
            TensorSource counting = new TensorSource() {
                public String describe() { return f.describe(); }
                public List<Path> files() { return f.files(); }
                public Set<String> names() { return f.names(); }
                public Optional<TensorInfo> info(String n) { return f.info(n); }
                public Map<String, String> metadata() { return f.metadata(); }
                public NDArray load(String n, ai.djl.ndarray.NDManager m, DataType d) {
                    loaded.add(n);
                    return f.load(n, m, d);
                }
                public String usedSha256() { return f.usedSha256(); }
                public int tensorsRead() { return f.tensorsRead(); }
                public void close() { }
            };
            CLIPTextConfig cfg;
            try (ClipCheckpoint real = ClipCheckpoint.open(file); ClipTextModel t = real.loadText(0, Compute.CPU)) {
                cfg = t.config();
            }
            try (ClipTextModel t = ClipCheckpoint.of(file, counting).loadText(0, Compute.CPU, cfg)) {
                assertTrue(loaded.stream().allMatch(n -> n.startsWith("conditioner.embedders.1.model.")), loaded.toString());
                assertTrue(loaded.stream().noneMatch(n -> n.contains("logit_scale")));
            }
        }
    }

    /** clip-text-tiny-b converted to the OpenCLIP layout: fused in_proj, transposed projection, OpenCLIP names. */
    private Path tinyBAsOpenClip(String prefix, DType as) throws IOException {
        Path dir = Files.createDirectories(tmp.resolve("oc-b-" + as + prefix.hashCode()));
        SafetensorsWriter w = new SafetensorsWriter();
        try (SafetensorsFile f = SafetensorsFile.open(Goldens.path("clip-text-tiny-b/model.safetensors"));
                NDManager m = NDManager.newBaseManager()) {
            DataType dt = as == DType.F16 ? DataType.FLOAT16 : DataType.FLOAT32;
            Function<String, NDArray> get = k -> f.load(k, m, dt);
            w.add(prefix + "token_embedding.weight", get.apply("text_model.embeddings.token_embedding.weight"));
            w.add(prefix + "positional_embedding", get.apply("text_model.embeddings.position_embedding.weight"));
            for (int i = 0; i < 5; i++) {
                String h = "text_model.encoder.layers." + i + ".";
                String o = prefix + "transformer.resblocks." + i + ".";
                for (String wb : new String[] {"weight", "bias"}) {
                    w.add(o + "attn.in_proj_" + wb, get.apply(h + "self_attn.q_proj." + wb)
                            .concat(get.apply(h + "self_attn.k_proj." + wb), 0).concat(get.apply(h + "self_attn.v_proj." + wb), 0));
                    w.add(o + "attn.out_proj." + wb, get.apply(h + "self_attn.out_proj." + wb));
                    w.add(o + "ln_1." + wb, get.apply(h + "layer_norm1." + wb));
                    w.add(o + "ln_2." + wb, get.apply(h + "layer_norm2." + wb));
                    w.add(o + "mlp.c_fc." + wb, get.apply(h + "mlp.fc1." + wb));
                    w.add(o + "mlp.c_proj." + wb, get.apply(h + "mlp.fc2." + wb));
                }
            }
            w.add(prefix + "ln_final.weight", get.apply("text_model.final_layer_norm.weight"));
            w.add(prefix + "ln_final.bias", get.apply("text_model.final_layer_norm.bias"));
            w.add(prefix + "text_projection", get.apply("text_projection.weight").transpose().flatten().reshape(40, 24));
        }
        Path file = dir.resolve("model.safetensors");
        w.write(file, false);
        return file;
    }

    private static CLIPTextConfig tinyBConfig() {
        try (HfCheckpoint h = HfCheckpoint.open(Goldens.path("clip-text-tiny-b"))) {
            return h.textConfig().orElseThrow();
        }
    }

    @Test
    void convertedCopiesGiveTheSameOutputsAsTheOriginal() throws IOException {
        String g = "clip-text-tiny-b/golden_text_prompts.safetensors";
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray golden = Goldens.read(m, g, "last_hidden_state");
            NDArray goldenEmbeds = Goldens.read(m, g, "text_embeds");
            for (String prefix : new String[] {"", "cond_stage_model.model.", "conditioner.embedders.1.model."}) {
                for (DType as : new DType[] {DType.F32, DType.F16}) {
                    Path file = tinyBAsOpenClip(prefix, as);
                    try (ClipCheckpoint c = ClipCheckpoint.open(file);
                            ClipTextModel t = c.loadText(0, Compute.CPU, tinyBConfig())) {
                        ClipOutput o = t.forward(m, Goldens.readIds(m, g, "input_ids"), OutputRequest.pooledOnly());
                        float atol = as == DType.F32 ? ATOL : 2e-2f;
                        assertClose(golden, o.lastHiddenState(), atol, prefix + " " + as + " last_hidden_state");
                        assertClose(goldenEmbeds, o.projected(), atol, prefix + " " + as + " text_embeds");
                    }
                }
            }
            // the HF layout behind SD1.x's prefix, in a file with a UNet
            SafetensorsWriter w = new SafetensorsWriter();
            copy(Goldens.path("clip-tiny-a/model.safetensors"), w,
                    k -> k.startsWith("text_model.") ? "cond_stage_model.transformer." + k : null, DType.F32);
            w.addFloats("model.diffusion_model.out.2.weight", new long[] {2}, new float[2]);
            Path sd1 = tmp.resolve("sd1.safetensors");
            w.write(sd1, false);
            CLIPTextConfig aConfig;
            try (HfCheckpoint h = HfCheckpoint.open(Goldens.path("clip-tiny-a"))) {
                aConfig = h.textConfig().orElseThrow();
            }
            try (ClipCheckpoint c = ClipCheckpoint.open(sd1); ClipTextModel t = c.loadText(0, Compute.CPU, aConfig)) {
                assertEquals("cond_stage_model.transformer.", c.towers().get(0).prefix());
                String ga = "clip-tiny-a/golden_text_prompts.safetensors";
                ClipOutput o = t.forward(m, Goldens.readIds(m, ga, "input_ids"), OutputRequest.hiddenStates(-1).withPooled());
                assertClose(Goldens.read(m, ga, "last_hidden_state"), o.lastHiddenState(), ATOL, "SD1 single file");
            }
        }
    }

    @Test
    void derivedConfigsFollowTheFamilies() {
        DetectedTower clipL = new DetectedTower(TowerKind.TEXT, KeyLayout.HF, "cond_stage_model.transformer.", 768, 12,
                3072, Optional.empty(), 0, 0, 77, "x");
        CLIPTextConfig c = DerivedConfigs.text(clipL, null, "x");
        assertEquals(12, c.numAttentionHeads());
        assertEquals(dev.sdcond.models.config.Activation.QUICK_GELU, c.hiddenAct());
        DetectedTower bigG = new DetectedTower(TowerKind.TEXT, KeyLayout.OPENCLIP, "", 1280, 32, 5120, Optional.of(1280),
                0, 0, 77, "x");
        assertEquals(20, DerivedConfigs.text(bigG, null, "x").numAttentionHeads());
        assertEquals(dev.sdcond.models.config.Activation.GELU, DerivedConfigs.text(bigG, null, "x").hiddenAct());
        DetectedTower vitH = new DetectedTower(TowerKind.VISION, KeyLayout.OPENCLIP, "", 1280, 32, 5120, Optional.of(1024),
                14, 224, 257, "x");
        assertEquals(16, DerivedConfigs.vision(vitH, null, "x").numAttentionHeads());
        DetectedTower odd = new DetectedTower(TowerKind.VISION, KeyLayout.OPENCLIP, "", 96, 2, 192, Optional.empty(),
                14, 224, 257, "odd.safetensors");
        var e = assertThrows(dev.sdcond.models.InvalidInputException.class, () -> DerivedConfigs.vision(odd, null, "odd.safetensors"));
        assertTrue(e.getMessage().contains("config"), e.getMessage());
    }

    @Test
    void wrongKindsOfFilesSayWhatTheyAre() throws IOException {
        Path unet = tmp.resolve("unet.safetensors");
        new SafetensorsWriter().addFloats("model.diffusion_model.input_blocks.0.0.weight", new long[] {2}, new float[2])
                .write(unet, false);
        try (ClipCheckpoint c = ClipCheckpoint.open(unet)) {
            ModelMismatchException e = assertThrows(ModelMismatchException.class, () -> c.loadText(0, Compute.CPU));
            assertTrue(e.getMessage().contains("UNet") && e.getMessage().contains("text encoder"), e.getMessage());
        }
        Path vae = tmp.resolve("vae.safetensors");
        new SafetensorsWriter().addFloats("decoder.up.0.block.0.conv1.weight", new long[] {2}, new float[2]).write(vae, false);
        try (ClipCheckpoint c = ClipCheckpoint.open(vae)) {
            assertTrue(assertThrows(ModelMismatchException.class, () -> c.loadVision(Compute.CPU)).getMessage().contains("VAE"));
        }
        Path ip = tmp.resolve("ip-adapter.safetensors");
        new SafetensorsWriter().addFloats("image_proj.proj.weight", new long[] {4, 2}, new float[8]).write(ip, false);
        try (ClipCheckpoint c = ClipCheckpoint.open(ip)) {
            ModelMismatchException e = assertThrows(ModelMismatchException.class, () -> c.loadVision(Compute.CPU));
            assertTrue(e.getMessage().contains("IP-Adapter") && e.getMessage().contains("image encoder"), e.getMessage());
        }
        try (ClipCheckpoint c = ClipCheckpoint.open(Goldens.path("clip-vision-tiny-h"))) {
            assertThrows(ModelMismatchException.class, () -> c.loadText(0, Compute.CPU));
        }
    }
}
