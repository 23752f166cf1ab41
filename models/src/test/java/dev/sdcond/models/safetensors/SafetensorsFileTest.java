package dev.sdcond.models.safetensors;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import dev.sdcond.models.Goldens;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SafetensorsFileTest {
    @TempDir
    Path tmp;

    /** Writes a file from a header string and a data section of {@code dataBytes} bytes. */
    private Path file(String header, int dataBytes) throws IOException {
        byte[] h = header.getBytes(StandardCharsets.UTF_8);
        ByteBuffer b = ByteBuffer.allocate(8 + h.length + dataBytes).order(ByteOrder.LITTLE_ENDIAN);
        b.putLong(h.length).put(h);
        Path p = tmp.resolve("t" + System.nanoTime() + ".safetensors");
        Files.write(p, b.array());
        return p;
    }

    private String fails(Path p) {
        SafetensorsException e = assertThrows(SafetensorsException.class, () -> SafetensorsFile.open(p).close());
        assertTrue(e.getMessage().startsWith(p.toString()), "message names the file: " + e.getMessage());
        assertEquals(p, e.file());
        return e.getMessage();
    }

    @Test
    void readsGoldenModelHeaderAndMetadata() {
        try (SafetensorsFile f = SafetensorsFile.open(Goldens.path("clip-vision-tiny-h/model.safetensors"))) {
            assertEquals(Map.of("format", "pt"), f.metadata());
            assertEquals(72, f.names().size());
            TensorInfo t = f.info("vision_model.embeddings.patch_embedding.weight").orElseThrow();
            assertEquals(DType.F32, t.dtype());
            assertArrayEquals(new long[] {32, 3, 14, 14}, t.shape());
        }
    }

    @Test
    void loadsAndConvertsDtypes() throws IOException {
        // F16 1.5 = 0x3E00, BF16 -2.0 = 0xC000, F32 0.25
        Path p = file("{\"a\":{\"dtype\":\"F16\",\"shape\":[1],\"data_offsets\":[0,2]},"
                + "\"b\":{\"dtype\":\"BF16\",\"shape\":[1],\"data_offsets\":[2,4]},"
                + "\"c\":{\"dtype\":\"F32\",\"shape\":[],\"data_offsets\":[4,8]},"
                + "\"e\":{\"dtype\":\"F32\",\"shape\":[0,3],\"data_offsets\":[8,8]}}", 8);
        byte[] all = Files.readAllBytes(p);
        ByteBuffer d = ByteBuffer.wrap(all).order(ByteOrder.LITTLE_ENDIAN);
        int base = all.length - 8;
        d.putShort(base, (short) 0x3E00).putShort(base + 2, (short) 0xC000).putFloat(base + 4, 0.25f);
        Files.write(p, all);
        try (SafetensorsFile f = SafetensorsFile.open(p); NDManager m = NDManager.newBaseManager()) {
            assertEquals(1.5f, f.load("a", m, DataType.FLOAT32).getFloat(0));
            assertEquals(-2.0f, f.load("b", m, DataType.FLOAT32).getFloat(0));
            assertEquals(0.25f, f.load("c", m, DataType.FLOAT32).getFloat());
            assertEquals(0, f.load("e", m, DataType.FLOAT32).size());
        }
    }

    @Test
    void loadedTensorDoesNotAliasTheFile() throws IOException {
        Path p = file("{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}}", 8);
        try (SafetensorsFile f = SafetensorsFile.open(p); NDManager m = NDManager.newBaseManager()) {
            NDArray a = f.load("a", m, DataType.FLOAT32);
            a.set(new ai.djl.ndarray.index.NDIndex("0"), 7f);
            assertEquals(0f, f.map("a").getFloat(0), "the mapped file is untouched");
            assertEquals(7f, a.getFloat(0));
        }
    }

    @Test
    void fileTooSmall() throws IOException {
        Path p = tmp.resolve("small.safetensors");
        Files.write(p, new byte[] {1, 2, 3});
        assertTrue(fails(p).contains("too small"));
    }

    @Test
    void headerTooLarge() throws IOException {
        Path p = tmp.resolve("huge.safetensors");
        ByteBuffer b = ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN).putLong(200_000_000L);
        Files.write(p, b.array());
        assertTrue(fails(p).contains("exceeds the limit"));
    }

    @Test
    void headerLengthNegativeAsUnsigned() throws IOException {
        Path p = tmp.resolve("neg.safetensors");
        ByteBuffer b = ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN).putLong(-5L);
        Files.write(p, b.array());
        assertTrue(fails(p).contains("exceeds the limit"));
    }

    @Test
    void headerPastEndOfFile() throws IOException {
        Path p = tmp.resolve("trunc.safetensors");
        ByteBuffer b = ByteBuffer.allocate(20).order(ByteOrder.LITTLE_ENDIAN).putLong(1000);
        Files.write(p, b.array());
        assertTrue(fails(p).contains("runs past the end"));
    }

    @Test
    void headerNotUtf8() throws IOException {
        Path p = tmp.resolve("utf.safetensors");
        ByteBuffer b = ByteBuffer.allocate(12).order(ByteOrder.LITTLE_ENDIAN).putLong(4);
        b.put(new byte[] {'{', (byte) 0xff, (byte) 0xfe, '}'});
        Files.write(p, b.array());
        assertTrue(fails(p).contains("UTF-8"));
    }

    @Test
    void headerNotJson() throws IOException {
        assertTrue(fails(file("{\"a\": nope}", 0)).contains("not valid JSON"));
        assertTrue(fails(file("[1,2]", 0)).contains("does not start with '{'"));
    }

    @Test
    void duplicateKeys() throws IOException {
        String e = "{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}";
        assertTrue(fails(file("{\"a\":" + e + ",\"a\":" + e + "}", 4)).contains("not valid JSON"));
    }

    @Test
    void missingEntryFields() throws IOException {
        assertTrue(fails(file("{\"a\":{\"dtype\":\"F32\",\"shape\":[1]}}", 4)).contains("tensor 'a'"));
        assertTrue(fails(file("{\"a\":7}", 0)).contains("not an object"));
    }

    @Test
    void unknownDtype() throws IOException {
        String m = fails(file("{\"w\":{\"dtype\":\"F17\",\"shape\":[1],\"data_offsets\":[0,4]}}", 4));
        assertTrue(m.contains("tensor 'w'") && m.contains("dtype 'F17'"), m);
    }

    @Test
    void negativeOrHugeShape() throws IOException {
        assertTrue(fails(file("{\"w\":{\"dtype\":\"F32\",\"shape\":[-1],\"data_offsets\":[0,4]}}", 4))
                .contains("non-negative"));
        assertTrue(fails(file("{\"w\":{\"dtype\":\"F32\",\"shape\":[1e3],\"data_offsets\":[0,4]}}", 4))
                .contains("non-negative"));
        assertTrue(fails(file("{\"w\":{\"dtype\":\"F32\",\"shape\":[99999999999999999999],\"data_offsets\":[0,4]}}", 4))
                .contains("64-bit"));
    }

    @Test
    void shapeProductOverflow() throws IOException {
        String m = fails(file("{\"w\":{\"dtype\":\"F32\",\"shape\":[4294967296,4294967296],\"data_offsets\":[0,4]}}", 4));
        assertTrue(m.contains("overflows"), m);
    }

    @Test
    void sizeDoesNotMatchShape() throws IOException {
        String m = fails(file("{\"w\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,4]}}", 4));
        assertTrue(m.contains("tensor 'w'") && m.contains("needs 8"), m);
    }

    @Test
    void overlappingOffsets() throws IOException {
        String m = fails(file("{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},"
                + "\"b\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4,8]}}", 8));
        assertTrue(m.contains("overlap"), m);
    }

    @Test
    void gapBetweenTensors() throws IOException {
        String m = fails(file("{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]},"
                + "\"b\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[8,12]}}", 12));
        assertTrue(m.contains("gap") && m.contains("tensor 'b'"), m);
    }

    @Test
    void endBeforeBegin() throws IOException {
        String m = fails(file("{\"a\":{\"dtype\":\"F32\",\"shape\":[0],\"data_offsets\":[0,0]},"
                + "\"b\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]},"
                + "\"c\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4,0]}}", 4));
        assertTrue(m.contains("before begin") || m.contains("overlap"), m);
    }

    @Test
    void offsetsPastDataSection() throws IOException {
        String m = fails(file("{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}}", 4));
        assertTrue(m.contains("runs past the data section"), m);
    }

    @Test
    void trailingBytes() throws IOException {
        String m = fails(file("{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}}", 8));
        assertTrue(m.contains("trailing"), m);
    }

    @Test
    void metadataMustBeStrings() throws IOException {
        String m = fails(file("{\"__metadata__\":{\"n\":3}}", 0));
        assertTrue(m.contains("__metadata__") && m.contains("'n'"), m);
        assertTrue(fails(file("{\"__metadata__\":[1]}", 0)).contains("__metadata__"));
    }

    @Test
    void missingTensorIsNamed() throws IOException {
        Path p = file("{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}}", 4);
        try (SafetensorsFile f = SafetensorsFile.open(p); NDManager m = NDManager.newBaseManager()) {
            SafetensorsException e = assertThrows(SafetensorsException.class, () -> f.load("zz", m, DataType.FLOAT32));
            assertTrue(e.getMessage().contains("'zz'") && e.getMessage().contains(p.toString()));
        }
    }

    @Test
    void integerTensorIsNotAWeight() throws IOException {
        Path p = file("{\"a\":{\"dtype\":\"I64\",\"shape\":[1],\"data_offsets\":[0,8]}}", 8);
        try (SafetensorsFile f = SafetensorsFile.open(p); NDManager m = NDManager.newBaseManager()) {
            assertThrows(SafetensorsException.class, () -> f.load("a", m, DataType.FLOAT32));
            assertEquals(0L, f.load("a", m, DataType.INT64).getLong(0));
        }
    }
}
