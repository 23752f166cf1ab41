package dev.sdcond.models.weights;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import dev.sdcond.models.safetensors.TensorInfo;
import dev.sdcond.models.safetensors.TensorSource;
import java.util.Optional;

/**
 * The Hugging Face layout: every parameter is stored under its own name, optionally behind a prefix (e.g.
 * {@code cond_stage_model.transformer.} in SD1.x single-file checkpoints), optionally without a leading level of the
 * name ({@code text_model.} in older SD1.x files, whose keys are {@code cond_stage_model.transformer.embeddings.*}).
 *
 * @param prefix what precedes the stored names
 * @param dropped a leading part of the Hugging Face names that the stored names lack (empty for none)
 */
public record PrefixedSource(TensorSource source, String prefix, String dropped) implements ParameterSource {

    /**
     * Parameters stored under their own names behind a prefix.
     *
     * @param source the checkpoint
     * @param prefix what precedes the stored names
     */
    public PrefixedSource(TensorSource source, String prefix) {
        this(source, prefix, "");
    }

    /**
     * Parameters stored under their own names at the top level.
     *
     * @param source the checkpoint
     * @return the source
     */
    public static PrefixedSource of(TensorSource source) {
        return new PrefixedSource(source, "");
    }

    @Override
    public String describe() {
        return source.describe();
    }

    @Override
    public String storedName(String hfName) {
        return prefix + (!dropped.isEmpty() && hfName.startsWith(dropped) ? hfName.substring(dropped.length()) : hfName);
    }

    @Override
    public Optional<long[]> shape(String hfName) {
        return source.info(storedName(hfName)).map(TensorInfo::shape);
    }

    @Override
    public Optional<dev.sdcond.models.safetensors.DType> storedType(String hfName) {
        return source.info(storedName(hfName)).map(TensorInfo::dtype);
    }

    @Override
    public NDArray load(String hfName, NDManager manager, DataType dtype) {
        return source.load(storedName(hfName), manager, dtype);
    }
}
