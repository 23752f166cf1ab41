package dev.sdcond.models.safetensors;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.CharacterCodingException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The header of a safetensors file, read and checked as the reference implementation checks it (see
 * {@link SafetensorsFile}).
 *
 * @param dataStart where the data section starts: 8 + the header length
 * @param tensors every entry, in header order
 * @param metadata the {@code __metadata__} map
 */
record Header(long dataStart, Map<String, TensorInfo> tensors, Map<String, String> metadata) {
    private static final long MAX_HEADER_SIZE = SafetensorsFile.MAX_HEADER_SIZE;

    /** Names and strings as long as the header allows: Jackson's default limits (50,000 / 20M chars) are lower. */
    private static final ObjectMapper JSON = JsonMapper.builder(new com.fasterxml.jackson.core.JsonFactoryBuilder()
                    .streamReadConstraints(com.fasterxml.jackson.core.StreamReadConstraints.builder()
                            .maxNameLength((int) MAX_HEADER_SIZE).maxStringLength((int) MAX_HEADER_SIZE)
                            .maxNestingDepth(1000).build())
                    .build())
            .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .enable(DeserializationFeature.USE_BIG_INTEGER_FOR_INTS)
            .build();

    static Header read(Path path, FileChannel channel) {
        try {
            long fileSize = channel.size();
            if (fileSize < 8) {
                throw new SafetensorsException(path, "file is " + fileSize
                        + " bytes, too small for the 8-byte header length: not a safetensors file");
            }
            ByteBuffer lenBuf = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
            SafetensorsFile.readFully(channel, lenBuf, 0);
            long n = lenBuf.getLong(0);
            if (n < 0 || n > MAX_HEADER_SIZE) {
                throw new SafetensorsException(path, "header length " + Long.toUnsignedString(n)
                        + " exceeds the limit of " + MAX_HEADER_SIZE + " bytes: not a safetensors file or corrupt");
            }
            if (n < 2) {
                throw new SafetensorsException(path, "header length " + n + " is too small for a JSON object");
            }
            if (8 + n > fileSize) {
                throw new SafetensorsException(path, "header length " + n + " runs past the end of the "
                        + fileSize + "-byte file (truncated?)");
            }
            ByteBuffer headerBuf = ByteBuffer.allocate((int) n);
            SafetensorsFile.readFully(channel, headerBuf, 8);
            String header = decodeUtf8(path, headerBuf.array());
            if (!header.startsWith("{")) {
                throw new SafetensorsException(path, "header does not start with '{': not a safetensors file");
            }
            JsonNode root;
            try {
                root = JSON.readTree(header);
            } catch (IOException e) {
                throw new SafetensorsException(path, "header is not valid JSON: " + firstLine(e.getMessage()), e);
            }
            if (root == null || !root.isObject()) {
                throw new SafetensorsException(path, "header is not a JSON object");
            }
            Map<String, String> metadata = Map.of();
            List<TensorInfo> entries = new ArrayList<>();
            for (Iterator<Map.Entry<String, JsonNode>> it = root.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> field = it.next();
                if (field.getKey().equals("__metadata__")) {
                    metadata = parseMetadata(path, field.getValue());
                } else {
                    entries.add(parseEntry(path, field.getKey(), field.getValue()));
                }
            }
            long dataLength = fileSize - 8 - n;
            validateLayout(path, entries, dataLength);
            Map<String, TensorInfo> byName = new LinkedHashMap<>();
            for (TensorInfo t : entries) {
                byName.put(t.name(), t);
            }
            return new Header(8 + n, Collections.unmodifiableMap(byName), metadata);
        } catch (IOException e) {
            throw dev.sdcond.models.io.InputFiles.unreadable(path, e);
        }
    }

    private static String decodeUtf8(Path path, byte[] bytes) {
        try {
            return dev.sdcond.models.io.InputFiles.utf8(ByteBuffer.wrap(bytes));
        } catch (CharacterCodingException e) {
            throw new SafetensorsException(path, "header is not valid UTF-8");
        }
    }

    private static Map<String, String> parseMetadata(Path path, JsonNode node) {
        if (!node.isObject()) {
            throw new SafetensorsException(path, "__metadata__ must be an object of strings, found " + node.getNodeType());
        }
        Map<String, String> out = new LinkedHashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            if (!e.getValue().isTextual()) {
                throw new SafetensorsException(path, "__metadata__ value of '" + e.getKey()
                        + "' is " + e.getValue().getNodeType() + ", not a string");
            }
            out.put(e.getKey(), e.getValue().asText());
        }
        return Collections.unmodifiableMap(out);
    }

    private static TensorInfo parseEntry(Path path, String name, JsonNode node) {
        String where = "tensor '" + name + "': ";
        if (!node.isObject()) {
            throw new SafetensorsException(path, where + "entry is not an object");
        }
        JsonNode dtypeNode = node.get("dtype");
        JsonNode shapeNode = node.get("shape");
        JsonNode offsetsNode = node.get("data_offsets");
        if (dtypeNode == null || shapeNode == null || offsetsNode == null) {
            throw new SafetensorsException(path, where + "entry needs dtype, shape and data_offsets");
        }
        if (!dtypeNode.isTextual()) {
            throw new SafetensorsException(path, where + "dtype is not a string");
        }
        DType dtype = DType.fromName(dtypeNode.asText()).orElseThrow(() ->
                new SafetensorsException(path, where + "unknown or unsupported dtype '" + dtypeNode.asText() + "'"));
        long[] shape = nonNegativeLongs(path, where + "shape", shapeNode, -1);
        long[] offsets = nonNegativeLongs(path, where + "data_offsets", offsetsNode, 2);
        return new TensorInfo(name, dtype, shape, offsets[0], offsets[1]);
    }

    private static long[] nonNegativeLongs(Path path, String what, JsonNode node, int expectedLength) {
        if (!node.isArray()) {
            throw new SafetensorsException(path, what + " is not an array");
        }
        if (expectedLength >= 0 && node.size() != expectedLength) {
            throw new SafetensorsException(path, what + " must have " + expectedLength + " entries, has " + node.size());
        }
        long[] out = new long[node.size()];
        for (int i = 0; i < out.length; i++) {
            JsonNode v = node.get(i);
            if (!v.isIntegralNumber() || v.bigIntegerValue().signum() < 0 || v.bigIntegerValue().bitLength() > 63) {
                throw new SafetensorsException(path, what + " entry " + i + " (" + v + ") is not a non-negative 64-bit integer");
            }
            out[i] = v.longValue();
        }
        return out;
    }

    private static void validateLayout(Path path, List<TensorInfo> entries, long dataLength) {
        List<TensorInfo> sorted = new ArrayList<>(entries);
        sorted.sort(Comparator.comparingLong(TensorInfo::begin).thenComparingLong(TensorInfo::end));
        long expectedBegin = 0;
        for (TensorInfo t : sorted) {
            String where = "tensor '" + t.name() + "': ";
            if (t.begin() != expectedBegin) {
                throw new SafetensorsException(path, where + "data_offsets [" + t.begin() + ", " + t.end() + "] "
                        + (t.begin() < expectedBegin ? "overlap the previous tensor" : "leave a gap after the previous tensor")
                        + " (expected to start at " + expectedBegin + ")");
            }
            if (t.end() < t.begin()) {
                throw new SafetensorsException(path, where + "data_offsets end " + t.end() + " is before begin " + t.begin());
            }
            long bytes;
            try {
                long count = 1;
                for (long d : t.shape()) {
                    count = Math.multiplyExact(count, d);
                }
                long bits = Math.multiplyExact(count, (long) t.dtype().bitSize());
                if (bits % 8 != 0) {
                    throw new SafetensorsException(path, where + t.dtype() + t.shapeString() + " is " + bits
                            + " bits, which do not end on a byte boundary");
                }
                bytes = bits / 8;
            } catch (ArithmeticException e) {
                throw new SafetensorsException(path, where + "shape " + t.shapeString() + " overflows 64 bits");
            }
            if (t.end() - t.begin() != bytes) {
                throw new SafetensorsException(path, where + "data_offsets cover " + (t.end() - t.begin())
                        + " bytes but " + t.dtype() + t.shapeString() + " needs " + bytes);
            }
            if (t.end() > dataLength) {
                throw new SafetensorsException(path, where + "data_offsets end " + t.end()
                        + " runs past the data section of " + dataLength + " bytes (truncated file?)");
            }
            expectedBegin = t.end();
        }
        if (expectedBegin != dataLength) {
            throw new SafetensorsException(path, "the tensors cover " + expectedBegin + " bytes but the data section has "
                    + dataLength + " (trailing bytes or a corrupt header)");
        }
    }

    private static String firstLine(String s) {
        if (s == null) {
            return "";
        }
        int i = s.indexOf('\n');
        return i < 0 ? s : s.substring(0, i);
    }
}
