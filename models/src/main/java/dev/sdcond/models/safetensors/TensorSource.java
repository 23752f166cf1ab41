package dev.sdcond.models.safetensors;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import java.io.Closeable;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/** Named tensors that can be read one at a time: one safetensors file, or the shards of a sharded checkpoint. */
public interface TensorSource extends Closeable {

    /**
     * What to call this source in messages (a file or an index path).
     *
     * @return the source, for messages (e.g. the file's path)
     */
    String describe();

    /**
     * The files holding the tensors (one, or every shard), e.g. to hash them for provenance.
     *
     * @return the files read
     */
    java.util.List<java.nio.file.Path> files();

    /**
     * Every tensor name.
     *
     * @return every tensor's name
     */
    Set<String> names();

    /**
     * The header entry of a tensor, if the source has it.
     *
     * @param name a tensor's name
     * @return its dtype, shape and place, or empty when there is none
     */
    Optional<TensorInfo> info(String name);

    /**
     * The {@code __metadata__} map (merged over shards).
     *
     * @return the header's {@code __metadata__}
     */
    Map<String, String> metadata();

    /**
     * Reads one tensor into {@code manager} (on the manager's device), converted to {@code dtype}. The result owns
     * its memory: it does not alias the file.
     *
     * @throws SafetensorsException when the tensor is absent or its dtype cannot be converted
     * @param name a tensor's name
     * @param manager where the array is made
     * @param dtype the dtype to convert to
     * @return the array
     */
    NDArray load(String name, NDManager manager, DataType dtype);

    /**
     * The SHA-256 of what this source has given so far, for provenance: of each file read from, its header (the
     * length and the JSON) followed by the bytes of the tensors {@link #load} read from it, in file order. One file:
     * the hex digest; shards: {@code shard-file:hex} for each shard read from, comma separated. Tensors of other parts
     * of a checkpoint (a UNet, a VAE) are not read and not hashed.
     *
     * @return the provenance hash of what was read
     */
    String usedSha256();

    /**
     * How many tensors {@link #load} has read so far.
     *
     * @return how many tensors were read
     */
    int tensorsRead();

    /**
     * The provenance hash of a model's checkpoints: {@link #usedSha256} of each, {@code ;}-separated; "none" for no
     * checkpoint (random weights).
     *
     * @param sources the checkpoints read
     * @return their provenance hash, one for all
     */
    static String usedSha256(java.util.List<TensorSource> sources) {
        return sources.isEmpty() ? "none" : String.join(";", sources.stream().map(TensorSource::usedSha256).toList());
    }

    /**
     * How many tensors were read from a model's checkpoints, together.
     *
     * @param sources the checkpoints read
     * @return how many tensors were read from them
     */
    static int tensorsRead(java.util.List<TensorSource> sources) {
        return sources.stream().mapToInt(TensorSource::tensorsRead).sum();
    }

    @Override
    void close();
}
