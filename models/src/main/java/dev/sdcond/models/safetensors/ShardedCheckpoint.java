package dev.sdcond.models.safetensors;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * A checkpoint split over several safetensors files, described by a {@code *.safetensors.index.json} whose
 * {@code weight_map} maps each tensor to the shard that holds it. Shard names must be plain file names in the index's
 * folder: absolute paths, {@code ..}, and separators are rejected.
 */
public final class ShardedCheckpoint implements TensorSource {
    private static final ObjectMapper JSON = JsonMapper.builder()
            .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION).build();

    private final Path index;
    private final Map<String, SafetensorsFile> shardOf;
    private final Map<String, SafetensorsFile> shards;
    private final Map<String, String> metadata;

    private ShardedCheckpoint(Path index, Map<String, SafetensorsFile> shardOf, Map<String, SafetensorsFile> shards,
            Map<String, String> metadata) {
        this.index = index;
        this.shardOf = shardOf;
        this.shards = shards;
        this.metadata = metadata;
    }

    /**
     * Opens the index and every shard it names, checking that each mapped tensor is in its shard.
     *
     * @param index a {@code model.safetensors.index.json}
     * @return the checkpoint; close it to release the shards
     */
    public static ShardedCheckpoint open(Path index) {
        JsonNode root;
        try {
            root = JSON.readTree(dev.sdcond.models.io.InputFiles.readUtf8(index));
        } catch (IOException e) {
            if (e instanceof com.fasterxml.jackson.core.JsonProcessingException j) {
                throw new SafetensorsException(index, "index is not valid JSON: " + j.getOriginalMessage(), e);
            }
            throw dev.sdcond.models.io.InputFiles.unreadable(index, e);
        }
        JsonNode weightMap = root == null ? null : root.get("weight_map");
        if (weightMap == null || !weightMap.isObject()) {
            throw new SafetensorsException(index, "index has no \"weight_map\" object");
        }
        Path dir = index.toAbsolutePath().getParent();
        Map<String, SafetensorsFile> shards = new LinkedHashMap<>();
        Map<String, SafetensorsFile> shardOf = new LinkedHashMap<>();
        try {
            for (Iterator<Map.Entry<String, JsonNode>> it = weightMap.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                if (!e.getValue().isTextual()) {
                    throw new SafetensorsException(index, "weight_map entry '" + e.getKey() + "' is not a file name");
                }
                String shardName = e.getValue().asText();
                checkShardName(index, shardName);
                SafetensorsFile shard = shards.get(shardName);
                if (shard == null) {
                    Path file = dir.resolve(shardName);
                    if (!Files.isRegularFile(file)) {
                        throw new SafetensorsException(index, "shard '" + shardName + "' (for tensor '" + e.getKey()
                                + "') does not exist");
                    }
                    shard = SafetensorsFile.open(file);
                    shards.put(shardName, shard);
                }
                if (shard.info(e.getKey()).isEmpty()) {
                    throw new SafetensorsException(index, "tensor '" + e.getKey() + "' is mapped to shard '"
                            + shardName + "', which does not contain it");
                }
                shardOf.put(e.getKey(), shard);
            }
        } catch (RuntimeException ex) {
            shards.values().forEach(SafetensorsFile::close);
            throw ex;
        }
        Map<String, String> metadata = new LinkedHashMap<>();
        shards.values().forEach(s -> metadata.putAll(s.metadata()));
        return new ShardedCheckpoint(index, Collections.unmodifiableMap(shardOf), shards,
                Collections.unmodifiableMap(metadata));
    }

    private static void checkShardName(Path index, String name) {
        if (name.isEmpty() || name.contains("/") || name.contains("\\") || name.contains("..")
                || Path.of(name).isAbsolute() || name.indexOf('\0') >= 0) {
            throw new SafetensorsException(index, "shard name '" + name
                    + "' is not a plain file name in the index's folder (absolute paths, '..' and '/' are refused)");
        }
    }

    /**
     * The index file.
     *
     * @return its path
     */
    public Path index() {
        return index;
    }

    @Override
    public String describe() {
        return index.toString();
    }

    @Override
    public java.util.List<Path> files() {
        return shards.values().stream().map(SafetensorsFile::path).toList();
    }

    @Override
    public Set<String> names() {
        return shardOf.keySet();
    }

    @Override
    public Optional<TensorInfo> info(String name) {
        SafetensorsFile f = shardOf.get(name);
        return f == null ? Optional.empty() : f.info(name);
    }

    @Override
    public Map<String, String> metadata() {
        return metadata;
    }

    @Override
    public NDArray load(String name, NDManager manager, DataType dtype) {
        SafetensorsFile f = shardOf.get(name);
        if (f == null) {
            throw new SafetensorsException(index, "no tensor '" + name + "' in the weight_map");
        }
        return f.load(name, manager, dtype);
    }

    @Override
    public String usedSha256() {
        return String.join(",", shards.values().stream().filter(f -> f.tensorsRead() > 0)
                .map(f -> f.path().getFileName() + ":" + f.usedSha256()).toList());
    }

    @Override
    public int tensorsRead() {
        return shards.values().stream().mapToInt(SafetensorsFile::tensorsRead).sum();
    }

    @Override
    public void close() {
        shards.values().forEach(SafetensorsFile::close);
    }
}
