package dev.sdcond.models.clip;

import static dev.sdcond.models.Goldens.assertClose;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import dev.sdcond.models.Compute;
import dev.sdcond.models.Goldens;
import dev.sdcond.models.checkpoint.HfCheckpoint;
import dev.sdcond.models.InvalidInputException;
import dev.sdcond.models.ModelMismatchException;
import dev.sdcond.models.config.ConfigFiles;
import dev.sdcond.models.safetensors.DType;
import dev.sdcond.models.safetensors.SafetensorsFile;
import dev.sdcond.models.safetensors.SafetensorsWriter;
import dev.sdcond.models.safetensors.TensorInfo;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TowerLoadingTest {
    private static final String MODEL = "clip-text-tiny-b";
    private static final String G = MODEL + "/golden_text_prompts.safetensors";

    @TempDir
    Path tmp;

    /** Copies the golden model's folder, rewriting its weights. */
    private Path copy(String name, Predicate<String> keep, DType as) throws IOException {
        Path dir = Files.createDirectories(tmp.resolve(name));
        Files.copy(Goldens.path(MODEL + "/config.json"), dir.resolve("config.json"));
        SafetensorsWriter w = new SafetensorsWriter();
        try (SafetensorsFile f = SafetensorsFile.open(Goldens.path(MODEL + "/model.safetensors"));
                NDManager m = NDManager.newBaseManager()) {
            for (TensorInfo t : f.tensors()) {
                if (!keep.test(t.name())) {
                    continue;
                }
                float[] v = f.load(t.name(), m, DataType.FLOAT32).toFloatArray();
                long[] shape = t.shape();
                if (t.name().equals("text_model.final_layer_norm.weight") && name.equals("wrong-shape")) {
                    shape = new long[] {v.length / 2, 2};
                }
                if (as == DType.F16) {
                    w.add(t.name(), f.load(t.name(), m, DataType.FLOAT16).reshape(shape));
                } else {
                    w.add(t.name(), as, shape, encode(v, as));
                }
            }
        }
        w.write(dir.resolve("model.safetensors"), false);
        return dir;
    }

    static ByteBuffer encode(float[] v, DType as) {
        ByteBuffer b = ByteBuffer.allocate(v.length * as.byteSize()).order(ByteOrder.LITTLE_ENDIAN);
        for (float x : v) {
            switch (as) {
                case F32 -> b.putFloat(x);
                case BF16 -> {
                    int bits = Float.floatToRawIntBits(x);
                    b.putShort((short) ((bits + 0x7fff + ((bits >>> 16) & 1)) >>> 16));
                }
                default -> throw new IllegalArgumentException();
            }
        }
        return b.flip();
    }

    private static NDArray lastHidden(Path folder, NDManager m) {
        try (HfCheckpoint c = HfCheckpoint.open(folder); ClipTextModel t = c.loadText(Compute.CPU)) {
            return t.forward(m, Goldens.readIds(m, G, "input_ids"), OutputRequest.pooledOnly()).lastHiddenState();
        }
    }

    @Test
    void everyMissingOrMismatchedKeyIsReportedAtOnce() throws IOException {
        Path dir = copy("wrong-shape", k -> !k.endsWith("layers.2.mlp.fc1.bias") && !k.endsWith("position_embedding.weight"),
                DType.F32);
        try (HfCheckpoint c = HfCheckpoint.open(dir)) {
            ModelMismatchException e = assertThrows(ModelMismatchException.class, () -> c.loadText(Compute.CPU));
            String msg = e.getMessage();
            assertTrue(msg.contains("3 problem(s)"), msg);
            assertTrue(msg.contains("missing text_model.encoder.layers.2.mlp.fc1.bias [80]"), msg);
            assertTrue(msg.contains("missing text_model.embeddings.position_embedding.weight [77, 40]"), msg);
            assertTrue(msg.contains("text_model.final_layer_norm.weight has shape [20, 2], expected [40]"), msg);
            assertTrue(msg.startsWith(dir.resolve("model.safetensors").toString()), msg);
        }
    }

    @Test
    void otherTowersKeysAreIgnored() {
        try (HfCheckpoint c = HfCheckpoint.open(Goldens.path("clip-tiny-a")); ClipTextModel t = c.loadText(Compute.CPU);
                ClipVisionModel v = c.loadVision(Compute.CPU)) {
            assertEquals(4, t.numLayers());
            assertEquals(3, v.numLayers());
            assertEquals(16, t.projectionDim().orElseThrow());
        }
    }

    @Test
    void halfPrecisionWeightsLoadIntoFloat32() throws IOException {
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray golden = Goldens.read(m, G, "last_hidden_state");
            assertClose(golden, lastHidden(copy("f16", k -> true, DType.F16), m), 2e-2f, "F16 weights");
            assertClose(golden, lastHidden(copy("bf16", k -> true, DType.BF16), m), 1.5e-1f, "BF16 weights");
        }
    }

    @Test
    void shardedCopyGivesIdenticalOutputs() throws IOException {
        Path dir = Files.createDirectories(tmp.resolve("sharded"));
        Files.copy(Goldens.path(MODEL + "/config.json"), dir.resolve("config.json"));
        StringBuilder map = new StringBuilder();
        try (SafetensorsFile f = SafetensorsFile.open(Goldens.path(MODEL + "/model.safetensors"));
                NDManager m = NDManager.newBaseManager()) {
            List<TensorInfo> all = f.tensors();
            SafetensorsWriter[] shards = {new SafetensorsWriter(), new SafetensorsWriter()};
            for (int i = 0; i < all.size(); i++) {
                TensorInfo t = all.get(i);
                int s = i % 2;
                shards[s].add(t.name(), f.load(t.name(), m, DataType.FLOAT32));
                map.append(map.length() == 0 ? "" : ",").append('"').append(t.name()).append("\":\"model-0000")
                        .append(s + 1).append("-of-00002.safetensors\"");
            }
            shards[0].write(dir.resolve("model-00001-of-00002.safetensors"), false);
            shards[1].write(dir.resolve("model-00002-of-00002.safetensors"), false);
        }
        Files.writeString(dir.resolve("model.safetensors.index.json"), "{\"weight_map\":{" + map + "}}");
        try (NDManager m = NDManager.newBaseManager()) {
            assertClose(lastHidden(Goldens.path(MODEL), m), lastHidden(dir, m), 0f, "sharded");
        }
    }

    @Test
    void pickleFilesAreRefusedWithAHint() throws IOException {
        Path dir = Files.createDirectories(tmp.resolve("pickle"));
        Files.copy(Goldens.path(MODEL + "/config.json"), dir.resolve("config.json"));
        Files.write(dir.resolve("pytorch_model.bin"), new byte[] {'P', 'K', 3, 4, 0, 0});
        InvalidInputException e = assertThrows(InvalidInputException.class, () -> HfCheckpoint.open(dir));
        assertTrue(e.getMessage().contains("pickle") && e.getMessage().contains("safetensors"), e.getMessage());
        Path ckpt = tmp.resolve("model.ckpt");
        Files.write(ckpt, new byte[] {(byte) 0x80, 2, 0, 0});
        assertThrows(InvalidInputException.class, () -> dev.sdcond.models.checkpoint.Checkpoints.open(ckpt));
    }

    @Test
    void badConfigsNameTheFile() throws IOException {
        Path cfg = tmp.resolve("config.json");
        Files.writeString(cfg, "{\"model_type\":\"clip_text_model\",\"hidden_size\":40,\"num_attention_heads\":3}");
        InvalidInputException e = assertThrows(InvalidInputException.class, () -> ConfigFiles.read(cfg));
        assertTrue(e.getMessage().startsWith(cfg.toString()) && e.getMessage().contains("num_attention_heads"),
                e.getMessage());
        Files.writeString(cfg, "{\"model_type\":\"clip_text_model\",\"hidden_act\":\"relu\"}");
        assertTrue(assertThrows(InvalidInputException.class, () -> ConfigFiles.read(cfg)).getMessage().contains("relu"));
        Files.writeString(cfg, "{\"model_type\":\"bert\"}");
        assertTrue(assertThrows(InvalidInputException.class, () -> ConfigFiles.read(cfg)).getMessage().contains("bert"));
        Files.writeString(cfg, "{nope");
        assertTrue(assertThrows(InvalidInputException.class, () -> ConfigFiles.read(cfg)).getMessage().contains("JSON"));
    }

    @Test
    void missingConfigFieldsTakeTransformersDefaults() throws IOException {
        Path cfg = tmp.resolve("config.json");
        Files.writeString(cfg, "{\"model_type\":\"clip_text_model\"}");
        var c = ((ConfigFiles.Text) ConfigFiles.read(cfg)).config();
        assertEquals(512, c.hiddenSize());
        assertEquals(12, c.numHiddenLayers());
        assertEquals(8, c.numAttentionHeads());
        assertEquals(49407, c.eosTokenId());
        assertEquals(dev.sdcond.models.config.Activation.QUICK_GELU, c.hiddenAct());
    }

    @Test
    void concurrentCallersGetTheSameResultsAsOne() throws Exception {
        try (HfCheckpoint c = HfCheckpoint.open(Goldens.path(MODEL)); ClipTextModel t = c.loadText(Compute.CPU);
                NDManager m = NDManager.newBaseManager()) {
            long[][] ids = Goldens.readIds(m, G, "input_ids");
            List<float[]> single = new ArrayList<>();
            for (long[] row : ids) {
                single.add(t.forward(m, new long[][] {row}, OutputRequest.pooledOnly()).projected().toFloatArray());
            }
            ExecutorService pool = Executors.newFixedThreadPool(8);
            try {
                List<Future<float[]>> futures = new ArrayList<>();
                for (int i = 0; i < 64; i++) {
                    long[] row = ids[i % ids.length];
                    futures.add(pool.submit(() -> {
                        try (NDManager local = NDManager.newBaseManager()) {
                            return t.forward(local, new long[][] {row}, OutputRequest.pooledOnly()).projected()
                                    .toFloatArray();
                        }
                    }));
                }
                for (int i = 0; i < futures.size(); i++) {
                    org.junit.jupiter.api.Assertions.assertArrayEquals(single.get(i % ids.length), futures.get(i).get());
                }
            } finally {
                pool.shutdown();
            }
        }
    }

    @Test
    void bfloat16ComputeIsAvailable() {
        // it needs sdcond's TorchScript kernels, which ship as a resource
        assertTrue(dev.sdcond.models.kernels.TorchScriptKernels.available());
        new Compute(ai.djl.Device.cpu(), dev.sdcond.models.Precision.BFLOAT16);
    }
}
