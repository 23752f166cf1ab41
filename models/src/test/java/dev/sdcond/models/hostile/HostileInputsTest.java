package dev.sdcond.models.hostile;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import dev.sdcond.models.checkpoint.Checkpoints;
import dev.sdcond.models.checkpoint.ClipCheckpoint;
import dev.sdcond.models.Compute;
import dev.sdcond.models.Goldens;
import dev.sdcond.models.checkpoint.HfCheckpoint;
import dev.sdcond.models.InvalidInputException;
import dev.sdcond.models.ModelMismatchException;
import dev.sdcond.models.clip.ClipTextModel;
import dev.sdcond.models.clip.ClipVisionModel;
import dev.sdcond.models.clip.OutputRequest;
import dev.sdcond.models.config.CLIPTextConfig;
import dev.sdcond.models.config.ConfigFiles;
import dev.sdcond.models.layout.KeyLayout;
import dev.sdcond.models.layout.LayoutDetector;
import dev.sdcond.models.safetensors.DType;
import dev.sdcond.models.safetensors.SafetensorsException;
import dev.sdcond.models.safetensors.SafetensorsFile;
import dev.sdcond.models.safetensors.SafetensorsWriter;
import dev.sdcond.models.safetensors.TensorSource;
import dev.sdcond.models.weights.PrefixedSource;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Files crafted to break the loader: each must fail cleanly and early, or load as the reference tools would. */
class HostileInputsTest {
    @TempDir
    Path tmp;

    /** A safetensors file from a raw header (padded with spaces to {@code headerLength}) and zero data bytes. */
    private Path raw(String name, String header, int headerLength, int dataBytes) throws IOException {
        byte[] h = (header + " ".repeat(Math.max(0, headerLength - header.length()))).getBytes(StandardCharsets.UTF_8);
        ByteBuffer b = ByteBuffer.allocate(8 + h.length + dataBytes).order(ByteOrder.LITTLE_ENDIAN);
        b.putLong(h.length).put(h);
        Path p = tmp.resolve(name);
        Files.write(p, b.array());
        return p;
    }

    @Test
    void safetensorsWhoseHeaderLengthLooksLikeAPickleOpens() throws IOException {
        // 640 = 0x280 and 66176 = 0x10280: the file starts 80 02, a pickle's protocol-2 opcode
        for (int len : new int[] {640, 66176}) {
            Path p = raw("h" + len + ".safetensors", "{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}}",
                    len, 4);
            byte[] head = Files.readAllBytes(p);
            assertEquals(0x80, head[0] & 0xff);
            assertEquals(2, head[1]);
            try (TensorSource s = Checkpoints.open(p)) {
                assertTrue(s.names().contains("a"));
            }
        }
        // even named like a pickle, a valid safetensors file is read as what it is
        Path bin = raw("weights.bin", "{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}}", 640, 4);
        try (TensorSource s = Checkpoints.open(bin)) {
            assertTrue(s.names().contains("a"));
        }
        // a real pickle is still refused by name, with the conversion hint
        Path pickle = tmp.resolve("model.ckpt");
        Files.write(pickle, new byte[] {(byte) 0x80, 2, '}', 'q', 0, '.'});
        InvalidInputException e = assertThrows(InvalidInputException.class, () -> Checkpoints.open(pickle));
        assertTrue(e.getMessage().contains("pickle"), e.getMessage());
    }

    @Test
    void longNamesAndMetadataValuesWithinTheHeaderLimitAreRead() throws IOException {
        String longName = "t".repeat(60_000); // over Jackson's default 50,000-character name limit
        String longValue = "v".repeat(21_000_000); // over its default 20M-character string limit
        Path p = tmp.resolve("long.safetensors");
        new SafetensorsWriter().metadata("note", longValue).addFloats(longName, new long[] {1}, new float[] {1f})
                .write(p, false);
        try (SafetensorsFile f = SafetensorsFile.open(p)) {
            assertTrue(f.names().contains(longName));
            assertEquals(longValue.length(), f.metadata().get("note").length());
        }
    }

    @Test
    void everyDtypeOfTheFormatIsValidAndOnlyANeededOneIsAnError() throws IOException {
        // F4 [4] = 2 bytes, F6_E2M3 [4] = 3 bytes, F8_E8M0 [2] = 2 bytes, C64 [1] = 8 bytes, then an F32 weight
        String h = "{\"f4\":{\"dtype\":\"F4\",\"shape\":[4],\"data_offsets\":[0,2]},"
                + "\"f6\":{\"dtype\":\"F6_E2M3\",\"shape\":[4],\"data_offsets\":[2,5]},"
                + "\"e8\":{\"dtype\":\"F8_E8M0\",\"shape\":[2],\"data_offsets\":[5,7]},"
                + "\"c\":{\"dtype\":\"C64\",\"shape\":[1],\"data_offsets\":[7,15]},"
                + "\"w\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[15,19]}}";
        Path p = raw("dtypes.safetensors", h, 0, 19);
        try (SafetensorsFile f = SafetensorsFile.open(p); NDManager m = NDManager.newBaseManager()) {
            assertEquals(DType.F4, f.info("f4").orElseThrow().dtype());
            assertEquals(1, f.load("w", m, DataType.FLOAT32).getShape().size());
            SafetensorsException e = assertThrows(SafetensorsException.class, () -> f.load("e8", m, DataType.FLOAT32));
            assertTrue(e.getMessage().contains("'e8'") && e.getMessage().contains("F8_E8M0"), e.getMessage());
        }
        // a sub-byte tensor that does not fill whole bytes breaks the format (3 x 4 bits)
        Path odd = raw("odd.safetensors", "{\"f4\":{\"dtype\":\"F4\",\"shape\":[3],\"data_offsets\":[0,2]}}", 0, 2);
        SafetensorsException e = assertThrows(SafetensorsException.class, () -> SafetensorsFile.open(odd));
        assertTrue(e.getMessage().contains("byte boundary"), e.getMessage());
    }

    /** clip-tiny-a's text weights next to a config.json that claims a huge model. */
    private Path claimingFolder(String config) throws IOException {
        Path dir = Files.createDirectories(tmp.resolve("claims" + System.nanoTime()));
        Files.copy(Goldens.path("clip-tiny-a/model.safetensors"), dir.resolve("model.safetensors"));
        Files.writeString(dir.resolve("config.json"), config);
        return dir;
    }

    @Test
    void aConfigClaimingOtherSizesThanTheWeightsIsABadFileNamingTheField() throws IOException {
        Path dir = claimingFolder("{\"model_type\": \"clip_text_model\", \"hidden_size\": 4096, \"num_hidden_layers\": 100,"
                + " \"num_attention_heads\": 32, \"intermediate_size\": 16384}");
        long loaded = dev.sdcond.models.weights.WeightReader.parametersLoaded();
        try (HfCheckpoint c = HfCheckpoint.open(dir)) {
            InvalidInputException e = assertThrows(InvalidInputException.class, () -> c.loadText(Compute.CPU));
            assertTrue(e.getMessage().contains("config.json") && e.getMessage().contains("hidden_size"), e.getMessage());
        }
        assertEquals(loaded, dev.sdcond.models.weights.WeightReader.parametersLoaded(), "rejected before any load");
        // more layers than the weights have
        Path layers = claimingFolder("{\"model_type\": \"clip_text_model\", \"hidden_size\": 32, \"num_hidden_layers\": 9,"
                + " \"num_attention_heads\": 4, \"intermediate_size\": 64}");
        try (HfCheckpoint c = HfCheckpoint.open(layers)) {
            InvalidInputException e = assertThrows(InvalidInputException.class, () -> c.loadText(Compute.CPU));
            assertTrue(e.getMessage().contains("num_hidden_layers is 9") && e.getMessage().contains("4 layers"),
                    e.getMessage());
        }
        // zero, negative and inconsistent values name the file and the field
        for (String bad : new String[] {"\"hidden_size\": 0", "\"num_attention_heads\": -4",
            "\"hidden_size\": 32, \"num_attention_heads\": 5", "\"layer_norm_eps\": 0"}) {
            Path d = claimingFolder("{\"model_type\": \"clip_text_model\", " + bad + "}");
            InvalidInputException e = assertThrows(InvalidInputException.class, () -> HfCheckpoint.open(d).close());
            assertTrue(e.getMessage().contains("config.json"), e.getMessage());
            String field = bad.substring(1, bad.indexOf('"', 1));
            assertTrue(e.getMessage().contains(field) || e.getMessage().contains("num_attention_heads"), e.getMessage());
        }
    }

    @Test
    void aConfigTooBigForTheWeightsFailsFromTheHeaderAloneWithACappedMessage() {
        // the loader is called directly with bigG's config on tiny weights: no consistency check in front of it
        long loaded = dev.sdcond.models.weights.WeightReader.parametersLoaded();
        try (SafetensorsFile f = SafetensorsFile.open(Goldens.path("clip-tiny-a/model.safetensors"))) {
            ModelMismatchException e = assertThrows(ModelMismatchException.class,
                    () -> ClipTextModel.load(PrefixedSource.of(f), dev.sdcond.models.registry.ClipFamily.OPENCLIP_BIGG_TEXT.textConfig(), Compute.CPU));
            String msg = e.getMessage();
            assertTrue(msg.contains("... and ") && msg.contains(" more"), "capped: " + msg);
            assertTrue(msg.length() < 4000, "a short message, not one line per tensor: " + msg.length());
            assertEquals(0, f.tensorsRead(), "nothing was read: the check uses the header alone");
        }
        assertEquals(loaded, dev.sdcond.models.weights.WeightReader.parametersLoaded(),
                "failed from the header, without loading any of bigG's 1.4 GB");
    }

    @Test
    void openClipConfigValuesAreCheckedAgainstTheWeights() throws IOException {
        Path dir = Files.createDirectories(tmp.resolve("oc"));
        Files.copy(Goldens.path("openclip-tiny/open_clip_model.safetensors"), dir.resolve("open_clip_model.safetensors"));
        String good = Files.readString(Goldens.path("openclip-tiny/open_clip_config.json"));
        String[][] cases = {
            {"\"head_width\": 8", "\"head_width\": 0", "vision_cfg.head_width"},
            {"\"head_width\": 8", "\"head_width\": 7", "vision_cfg.head_width"},
            {"\"heads\": 4", "\"heads\": -1", "text_cfg.heads"},
            {"\"layers\": 5", "\"layers\": 99", "text_cfg.layers"},
            {"\"width\": 32", "\"width\": \"wide\"", "vision_cfg.width"},
            {"\"patch_size\": 14", "\"patch_size\": 16", "vision_cfg.patch_size"},
        };
        for (String[] c : cases) {
            assertTrue(good.contains(c[0]), c[0]);
            Files.writeString(dir.resolve("open_clip_config.json"), good.replace(c[0], c[1]));
            InvalidInputException e = assertThrows(InvalidInputException.class, () -> {
                try (ClipCheckpoint ck = ClipCheckpoint.open(dir)) {
                    ck.loadVision(Compute.CPU).close();
                    ck.loadText(0, Compute.CPU).close();
                }
            }, c[1]);
            assertTrue(e.getMessage().contains("open_clip_config.json") && e.getMessage().contains(c[2]),
                    e.getMessage());
        }
    }

    @Test
    void sd1SingleFilesWithTheOldUnnestedTextKeysLoad() throws IOException {
        // cond_stage_model.transformer.embeddings.* / encoder.layers.* / final_layer_norm.*, without text_model.
        Path file = tmp.resolve("sd1-old.safetensors");
        tinyTextTower(k -> "cond_stage_model.transformer." + k.substring("text_model.".length()), 0f)
                .addFloats("model.diffusion_model.input_blocks.0.0.weight", new long[] {2}, new float[2])
                .addFloats("first_stage_model.decoder.conv_in.weight", new long[] {2}, new float[2])
                .write(file, false);
        CLIPTextConfig cfg = ((ConfigFiles.Dual) ConfigFiles.read(Goldens.path("clip-tiny-a/config.json"))).config()
                .textConfig();
        try (ClipCheckpoint c = ClipCheckpoint.open(file); NDManager m = NDManager.newBaseManager()) {
            assertEquals(KeyLayout.HF_UNNESTED, c.towers().get(0).layout());
            assertEquals(1, c.textTowers());
            long[][] ids = Goldens.readIds(m, "clip-tiny-a/golden_text.safetensors", "input_ids");
            try (ClipTextModel t = c.loadText(0, Compute.CPU, cfg)) {
                var out = t.forward(m, ids, OutputRequest.everything());
                Goldens.assertClose(Goldens.read(m, "clip-tiny-a/golden_text.safetensors", "last_hidden_state"),
                        out.lastHiddenState(), Goldens.ATOL, "unnested SD1.x keys");
            }
        }
        try (SafetensorsFile f = SafetensorsFile.open(file)) {
            assertEquals(1, LayoutDetector.towers(f).size());
        }
    }

    @Test
    void provenanceHashesTheHeaderAndTheTensorsRead() throws Exception {
        // every tensor of this file belongs to the vision tower: what was read is the whole file
        Path vision = Goldens.path("clip-vision-tiny-h/model.safetensors");
        try (ClipCheckpoint c = ClipCheckpoint.open(Goldens.path("clip-vision-tiny-h"));
                ClipVisionModel t = c.loadVision(Compute.CPU)) {
            String whole = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
                    .digest(Files.readAllBytes(vision)));
            assertEquals(whole, c.source().usedSha256());
            assertEquals(72, c.source().tensorsRead());
        }
        // a file with a UNet beside the text tower: the UNet's bytes do not count, the text weights' do
        String a = textPlusUnet("a", 0f, 0f);
        assertEquals(a, textPlusUnet("b", 0f, 7f), "the unread UNet tensor's bytes are not hashed");
        assertNotEquals(a, textPlusUnet("c", 1e-3f, 0f), "a changed text weight changes the hash");
    }

    /** The provenance hash of a file holding clip-tiny-a's text tower, with one weight nudged, and a UNet tensor. */
    private String textPlusUnet(String name, float nudge, float unet) throws IOException {
        Path file = tmp.resolve(name + ".safetensors");
        SafetensorsWriter w = tinyTextTower(k -> k, nudge);
        w.addFloats("model.diffusion_model.out.weight", new long[] {4}, new float[] {unet, unet, unet, unet});
        w.write(file, false);
        CLIPTextConfig cfg = ((ConfigFiles.Dual) ConfigFiles.read(Goldens.path("clip-tiny-a/config.json"))).config()
                .textConfig();
        try (ClipCheckpoint c = ClipCheckpoint.open(file); ClipTextModel t = c.loadText(0, Compute.CPU, cfg)) {
            assertArrayEquals(new long[] {4}, c.source().info("model.diffusion_model.out.weight").orElseThrow().shape());
            return c.source().usedSha256();
        }
    }

    @Test
    void layerIndicesInKeysCannotClaimMoreLayersThanThereAre() throws IOException {
        // clip-tiny-a's 4 text layers, plus keys at layer 99999999999 and 100000000: still 4 layers
        Path file = tmp.resolve("far.safetensors");
        SafetensorsWriter w = tinyTextTower(k -> "cond_stage_model.transformer." + k, 0f);
        w.addFloats("cond_stage_model.transformer.text_model.encoder.layers.99999999999.mlp.fc1.weight",
                new long[] {1}, new float[1]);
        w.addFloats("cond_stage_model.transformer.text_model.encoder.layers.100000000.mlp.fc1.weight",
                new long[] {1}, new float[1]);
        w.write(file, false);
        try (SafetensorsFile f = SafetensorsFile.open(file)) {
            assertEquals(4, LayoutDetector.towers(f).get(0).layers());
        }
    }

    /**
     * A writer holding clip-tiny-a's text tower (the {@code text_model.*} tensors) under {@code rename(key)}, with
     * {@code nudge} added to its final layer norm's bias.
     */
    private static SafetensorsWriter tinyTextTower(java.util.function.UnaryOperator<String> rename, float nudge) {
        SafetensorsWriter w = new SafetensorsWriter();
        try (SafetensorsFile f = SafetensorsFile.open(Goldens.path("clip-tiny-a/model.safetensors"));
                NDManager m = NDManager.newBaseManager()) {
            for (String k : f.names()) {
                if (k.startsWith("text_model.")) {
                    var v = f.load(k, m, DataType.FLOAT32);
                    w.add(rename.apply(k), k.endsWith("final_layer_norm.bias") && nudge != 0 ? v.add(nudge) : v);
                }
            }
        }
        return w;
    }
}
