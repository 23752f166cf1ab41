package dev.sdcond.models.safetensors;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sdcond.models.io.AtomicFiles;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.Channels;
import java.nio.channels.WritableByteChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Collects tensors and writes one safetensors file atomically (a temporary file in the same folder, then a rename):
 * a failure never leaves a partial file behind.
 */
public final class SafetensorsWriter {
    private static final ObjectMapper JSON = new ObjectMapper();

    private record Entry(String name, DType dtype, long[] shape, ByteBuffer data) {}

    private final Map<String, String> metadata = new LinkedHashMap<>();
    private final List<Entry> entries = new ArrayList<>();

    /**
     * Adds a {@code __metadata__} entry.
     *
     * @param key the metadata key
     * @param value its value
     * @return this writer
     */
    public SafetensorsWriter metadata(String key, String value) {
        metadata.put(key, value);
        return this;
    }

    /**
     * Adds raw little-endian bytes of a tensor.
     *
     * @param name the tensor's name
     * @param dtype its dtype
     * @param shape its shape
     * @param littleEndianData its bytes, little-endian, row-major
     * @return this writer
     */
    public SafetensorsWriter add(String name, DType dtype, long[] shape, ByteBuffer littleEndianData) {
        long n = 1;
        for (long d : shape) {
            n = Math.multiplyExact(n, d);
        }
        if (littleEndianData.remaining() != n * dtype.byteSize()) {
            throw new IllegalArgumentException(name + ": " + littleEndianData.remaining() + " bytes for " + dtype
                    + java.util.Arrays.toString(shape));
        }
        if (entries.stream().anyMatch(e -> e.name.equals(name)) || name.equals("__metadata__")) {
            throw new IllegalArgumentException("duplicate or reserved tensor name '" + name + "'");
        }
        entries.add(new Entry(name, dtype, shape.clone(), littleEndianData.duplicate()));
        return this;
    }

    /**
     * Adds an NDArray (float32, float16, float64, int32, int64, int8, uint8 or bool), copied to the host now.
     *
     * @param name the tensor's name
     * @param array the array (copied now)
     * @return this writer
     */
    public SafetensorsWriter add(String name, NDArray array) {
        DType dtype = fromDjl(array.getDataType());
        ByteBuffer bytes = array.toByteBuffer().order(ByteOrder.nativeOrder());
        ByteBuffer le = ByteBuffer.allocate(bytes.remaining()).order(ByteOrder.LITTLE_ENDIAN);
        if (ByteOrder.nativeOrder() == ByteOrder.LITTLE_ENDIAN) {
            le.put(bytes);
        } else {
            throw new UnsupportedOperationException("big-endian hosts are not supported");
        }
        le.flip();
        return add(name, dtype, array.getShape().getShape(), le);
    }

    /**
     * Adds a plain tensor (float32).
     *
     * @param name the tensor's name
     * @param t the tensor
     * @return this writer
     */
    public SafetensorsWriter add(String name, dev.sdcond.models.FloatTensor t) {
        return addFloats(name, t.shape(), t.values());
    }

    /**
     * Adds float32 values.
     *
     * @param name the tensor's name
     * @param shape its shape
     * @param values row-major values
     * @return this writer
     */
    public SafetensorsWriter addFloats(String name, long[] shape, float[] values) {
        ByteBuffer b = ByteBuffer.allocate(values.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        b.asFloatBuffer().put(values);
        return add(name, DType.F32, shape, b);
    }

    /**
     * Adds int64 values.
     *
     * @param name the tensor's name
     * @param shape its shape
     * @param values row-major values
     * @return this writer
     */
    public SafetensorsWriter addLongs(String name, long[] shape, long[] values) {
        ByteBuffer b = ByteBuffer.allocate(values.length * 8).order(ByteOrder.LITTLE_ENDIAN);
        b.asLongBuffer().put(values);
        return add(name, DType.I64, shape, b);
    }

    private static DType fromDjl(DataType t) {
        switch (t) {
            case FLOAT32: return DType.F32;
            case FLOAT16: return DType.F16;
            case FLOAT64: return DType.F64;
            case INT32: return DType.I32;
            case INT64: return DType.I64;
            case INT8: return DType.I8;
            case UINT8: return DType.U8;
            case BOOLEAN: return DType.BOOL;
            default: throw new IllegalArgumentException("cannot write dtype " + t);
        }
    }

    /** The header JSON, padded with spaces to a multiple of 8 bytes. */
    private byte[] header() {
        ObjectNode root = JSON.createObjectNode();
        if (!metadata.isEmpty()) {
            ObjectNode md = root.putObject("__metadata__");
            metadata.forEach(md::put);
        }
        long offset = 0;
        for (Entry e : entries) {
            ObjectNode t = root.putObject(e.name);
            t.put("dtype", e.dtype.name());
            ArrayNode s = t.putArray("shape");
            for (long d : e.shape) {
                s.add(d);
            }
            long len = e.data.remaining();
            t.putArray("data_offsets").add(offset).add(offset + len);
            offset += len;
        }
        byte[] json = root.toString().getBytes(StandardCharsets.UTF_8);
        int padded = (json.length + 7) / 8 * 8;
        byte[] out = new byte[padded];
        System.arraycopy(json, 0, out, 0, json.length);
        java.util.Arrays.fill(out, json.length, padded, (byte) ' ');
        return out;
    }

    /**
     * Writes one {@code KEY.npy} file per tensor into a new folder, with {@code __metadata__} in
     * {@code metadata.json}, atomically (see {@link AtomicFiles#writeFolder}): an existing folder is replaced only with
     * {@code overwrite} and only if it is an npy output itself.
     *
     * @throws dev.sdcond.models.InvalidInputException when the target may not be written or replaced
     * @throws dev.sdcond.models.OutputException when writing fails
     * @param dir the folder to write
     * @param overwrite whether an existing npy output folder may be replaced
     */
    public void writeNpy(Path dir, boolean overwrite) {
        AtomicFiles.writeFolder(dir, overwrite, tmp -> {
            for (Entry e : entries) {
                Path f = tmp.resolve(e.name.replaceAll("[^A-Za-z0-9._-]", "_") + ".npy");
                try (OutputStream out = new java.io.BufferedOutputStream(java.nio.file.Files.newOutputStream(f), 1 << 20)) {
                    NpyWriter.write(out, e.dtype, e.shape, e.data);
                }
            }
            ObjectNode md = JSON.createObjectNode();
            metadata.forEach(md::put);
            java.nio.file.Files.writeString(tmp.resolve(dev.sdcond.models.io.OutputTargets.NPY_METADATA),
                    md.toPrettyString());
        });
    }

    /**
     * The names added so far, in order.
     *
     * @return the tensors' names, in the order added
     */
    public List<String> names() {
        return entries.stream().map(Entry::name).toList();
    }

    /**
     * Writes the file atomically (see {@link AtomicFiles#write}).
     *
     * @throws dev.sdcond.models.InvalidInputException when the target may not be written or replaced
     * @throws dev.sdcond.models.OutputException when writing fails
     * @param file the file to write
     * @param overwrite whether an existing file may be replaced
     */
    public void write(Path file, boolean overwrite) {
        byte[] h = header();
        AtomicFiles.write(file, overwrite, out -> writeTo(out, h));
    }

    private void writeTo(OutputStream out, byte[] header) throws IOException {
        ByteBuffer len = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(header.length);
        out.write(len.array());
        out.write(header);
        WritableByteChannel ch = Channels.newChannel(out);
        for (Entry e : entries) {
            ByteBuffer d = e.data.duplicate();
            while (d.hasRemaining()) {
                ch.write(d);
            }
        }
    }
}
