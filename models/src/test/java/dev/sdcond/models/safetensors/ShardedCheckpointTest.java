package dev.sdcond.models.safetensors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ShardedCheckpointTest {
    @TempDir
    Path tmp;

    private void shard(String name, String tensor, float value) throws IOException {
        byte[] h = ("{\"" + tensor + "\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}}")
                .getBytes(StandardCharsets.UTF_8);
        ByteBuffer b = ByteBuffer.allocate(8 + h.length + 4).order(ByteOrder.LITTLE_ENDIAN);
        b.putLong(h.length).put(h).putFloat(value);
        Files.write(tmp.resolve(name), b.array());
    }

    private Path index(String weightMap) throws IOException {
        Path p = tmp.resolve("model.safetensors.index.json");
        Files.writeString(p, "{\"metadata\":{\"total_size\":8},\"weight_map\":" + weightMap + "}");
        return p;
    }

    @Test
    void loadsAcrossShards() throws IOException {
        shard("model-00001-of-00002.safetensors", "a", 1f);
        shard("model-00002-of-00002.safetensors", "b", 2f);
        Path idx = index("{\"a\":\"model-00001-of-00002.safetensors\",\"b\":\"model-00002-of-00002.safetensors\"}");
        try (ShardedCheckpoint c = ShardedCheckpoint.open(idx); NDManager m = NDManager.newBaseManager()) {
            assertEquals(2, c.names().size());
            assertEquals(2, c.files().size(), "every shard is a weight file (hashed for provenance)");
            assertEquals(2f, c.load("b", m, DataType.FLOAT32).getFloat(0));
        }
    }

    @Test
    void rejectsPathTricks() throws IOException {
        for (String bad : new String[] {"../x.safetensors", "/etc/passwd", "sub/x.safetensors", ".."}) {
            Path idx = index("{\"a\":\"" + bad + "\"}");
            SafetensorsException e = assertThrows(SafetensorsException.class, () -> ShardedCheckpoint.open(idx));
            assertTrue(e.getMessage().contains("not a plain file name"), e.getMessage());
        }
    }

    @Test
    void missingShardAndMissingTensor() throws IOException {
        Path idx = index("{\"a\":\"nope.safetensors\"}");
        assertTrue(assertThrows(SafetensorsException.class, () -> ShardedCheckpoint.open(idx))
                .getMessage().contains("does not exist"));
        shard("s.safetensors", "a", 1f);
        Path idx2 = index("{\"zz\":\"s.safetensors\"}");
        assertTrue(assertThrows(SafetensorsException.class, () -> ShardedCheckpoint.open(idx2))
                .getMessage().contains("does not contain"));
        Path idx3 = index("[]");
        assertTrue(assertThrows(SafetensorsException.class, () -> ShardedCheckpoint.open(idx3))
                .getMessage().contains("weight_map"));
    }
}
