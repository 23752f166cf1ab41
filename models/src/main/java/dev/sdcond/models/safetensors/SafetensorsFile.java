package dev.sdcond.models.safetensors;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * A validating, memory-mapped reader of one {@code .safetensors} file.
 *
 * <p>File layout: 8 bytes little-endian header length N, N bytes of UTF-8 JSON header, then the data section. Opening
 * reads and checks only the header; tensor bytes are mapped one tensor at a time when asked for, so files of any size
 * (over 2 GiB too) open in constant memory. The checks follow the reference implementation: the header length fits
 * the file and is at most 100 MB; the header is UTF-8 JSON starting with '{' with unique keys; every entry has a known
 * dtype, a shape and two data offsets; sorted by offset the entries are contiguous from 0, each exactly
 * {@code prod(shape) * dtype size} bytes (overflow-checked), and together they cover the data section exactly.
 * {@code __metadata__} must map strings to strings.
 *
 * <p>Instances are immutable after opening and safe to share between threads.
 */
public final class SafetensorsFile implements TensorSource {
    /** The largest header the reference implementation accepts. */
    public static final long MAX_HEADER_SIZE = 100_000_000L;

    private final Path path;
    private final FileChannel channel;
    private final long dataStart;
    private final Map<String, TensorInfo> tensors;
    private final Map<String, String> metadata;
    private final Set<String> read = java.util.concurrent.ConcurrentHashMap.newKeySet();

    private SafetensorsFile(Path path, FileChannel channel, long dataStart, Map<String, TensorInfo> tensors,
            Map<String, String> metadata) {
        this.path = path;
        this.channel = channel;
        this.dataStart = dataStart;
        this.tensors = tensors;
        this.metadata = metadata;
    }

    /**
     * Opens and validates a file.
     *
     * @throws SafetensorsException if the file breaks the format (the message names the file and the tensor)
     * @throws dev.sdcond.models.InvalidInputException if it is missing, a folder, or cannot be read
     * @param path a safetensors file
     * @return the file, its header validated; close it to release it
     */
    public static SafetensorsFile open(Path path) {
        dev.sdcond.models.io.InputFiles.requireFile(path);
        FileChannel channel;
        try {
            channel = FileChannel.open(path, StandardOpenOption.READ);
        } catch (IOException e) {
            throw dev.sdcond.models.io.InputFiles.unreadable(path, e);
        }
        try {
            Header h = Header.read(path, channel);
            return new SafetensorsFile(path, channel, h.dataStart(), h.tensors(), h.metadata());
        } catch (RuntimeException e) {
            closeQuietly(channel);
            throw e;
        }
    }

    static void readFully(FileChannel ch, ByteBuffer buf, long position) throws IOException {
        long pos = position;
        while (buf.hasRemaining()) {
            int r = ch.read(buf, pos);
            if (r < 0) {
                throw new IOException("unexpected end of file");
            }
            pos += r;
        }
    }

    private static void closeQuietly(FileChannel ch) {
        try {
            ch.close();
        } catch (IOException ignored) {
            // nothing to do
        }
    }

    /**
     * The file.
     *
     * @return its path
     */
    public Path path() {
        return path;
    }

    @Override
    public String describe() {
        return path.toString();
    }

    @Override
    public List<Path> files() {
        return List.of(path);
    }

    @Override
    public Set<String> names() {
        return tensors.keySet();
    }

    /**
     * Every header entry, in header order.
     *
     * @return the header entries, in file order
     */
    public List<TensorInfo> tensors() {
        return List.copyOf(tensors.values());
    }

    @Override
    public Optional<TensorInfo> info(String name) {
        return Optional.ofNullable(tensors.get(name));
    }

    @Override
    public Map<String, String> metadata() {
        return metadata;
    }

    /**
     * Total bytes of the data section.
     *
     * @return the data section's length in bytes
     */
    public long dataLength() {
        return tensors.values().stream().mapToLong(TensorInfo::byteLength).sum();
    }

    /**
     * Maps one tensor's bytes read-only, little-endian. Nothing is copied.
     *
     * @throws SafetensorsException when the tensor is absent or over 2 GiB (a single buffer's limit)
     * @param name a tensor's name
     * @return its bytes, mapped read-only
     */
    public ByteBuffer map(String name) {
        TensorInfo t = require(name);
        if (t.byteLength() > Integer.MAX_VALUE) {
            throw new SafetensorsException(path, "tensor '" + name + "' is " + t.byteLength()
                    + " bytes, over the 2 GiB a single tensor may have here");
        }
        try {
            return channel.map(FileChannel.MapMode.READ_ONLY, dataStart + t.begin(), t.byteLength())
                    .order(ByteOrder.LITTLE_ENDIAN);
        } catch (IOException e) {
            throw new SafetensorsException(path, "cannot map tensor '" + name + "': " + e.getMessage(), e);
        }
    }

    @Override
    public NDArray load(String name, NDManager manager, DataType dtype) {
        TensorInfo t = require(name);
        read.add(name);
        if (dtype.isFloating() && !t.dtype().isFloat()) {
            throw new SafetensorsException(path, "tensor '" + name + "' has dtype " + t.dtype()
                    + ", expected a floating point weight");
        }
        Shape shape = new Shape(t.shape());
        if (t.byteLength() == 0) {
            return manager.create(shape, dtype);
        }
        ByteBuffer mapped = map(name);
        try {
            if (t.dtype() == DType.BF16) {
                return HostValues.widenBf16(mapped, shape, manager, dtype);
            }
            DataType stored = t.dtype().djlType().orElseThrow(() -> new SafetensorsException(path,
                    "tensor '" + name + "' has dtype " + t.dtype() + ", which cannot be loaded"));
            // The array made over the mapped buffer aliases the (read-only) file: it is only borrowed here, and the
            // result is always a new tensor that owns its memory (a dtype conversion, or a clone).
            try (NDArray raw = manager.create(mapped, shape, stored)) {
                return stored == dtype ? raw.duplicate() : raw.toType(dtype, false);
            }
        } finally {
            dev.sdcond.models.io.DirectBuffers.free(mapped); // the file's pages leave the process now, not at some later GC
        }
    }

    /**
     * One tensor's values widened to float on the host, without libtorch: for comparing outputs of any shape, zero-size
     * ones included. Floats (F64, F32, F16, BF16) and integers (I64 up to 2^24 exactly) and BOOL are read.
     *
     * @throws SafetensorsException for a tensor of another dtype, or of more than 2^31 - 1 elements
     * @param name a float tensor's name
     * @return its values as float32
     */
    public float[] readFloats(String name) {
        TensorInfo t = require(name);
        long n = t.elementCount();
        if (n == 0) {
            return new float[0];
        }
        if (n > Integer.MAX_VALUE - 8) {
            throw new SafetensorsException(path, "tensor '" + name + "' has " + n + " elements, too many to compare");
        }
        float[] out = new float[(int) n];
        ByteBuffer b = map(name);
        try {
            if (!HostValues.read(b, t.dtype(), out)) {
                throw new SafetensorsException(path, "tensor '" + name + "' has dtype " + t.dtype()
                        + ", which cannot be read as numbers here");
            }
        } finally {
            dev.sdcond.models.io.DirectBuffers.free(b);
        }
        return out;
    }

    @Override
    public int tensorsRead() {
        return read.size();
    }

    @Override
    public String usedSha256() {
        java.security.MessageDigest md = dev.sdcond.models.io.InputFiles.sha256();
        try {
            ByteBuffer header = ByteBuffer.allocate((int) dataStart);
            readFully(channel, header, 0);
            md.update(header.flip());
            List<TensorInfo> used = read.stream().map(tensors::get).sorted(Comparator.comparingLong(TensorInfo::begin))
                    .toList();
            for (TensorInfo t : used) {
                if (t.byteLength() > 0) {
                    ByteBuffer bytes = map(t.name());
                    try {
                        md.update(bytes);
                    } finally {
                        dev.sdcond.models.io.DirectBuffers.free(bytes);
                    }
                }
            }
        } catch (IOException e) {
            throw dev.sdcond.models.io.InputFiles.unreadable(path, e);
        }
        return java.util.HexFormat.of().formatHex(md.digest());
    }

    private TensorInfo require(String name) {
        TensorInfo t = tensors.get(name);
        if (t == null) {
            throw new SafetensorsException(path, "no tensor '" + name + "'");
        }
        return t;
    }

    @Override
    public void close() {
        closeQuietly(channel);
    }
}
