package dev.sdcond.models.weights;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import dev.sdcond.models.safetensors.TensorInfo;
import dev.sdcond.models.safetensors.TensorSource;
import java.util.Optional;

/**
 * The Hugging Face layout: every parameter is stored under its own name, optionally behind a prefix (e.g.
 * {@code cond_stage_model.transformer.} in SD1.x single-file checkpoints).
 */
public record PrefixedSource(TensorSource source, String prefix) implements ParameterSource {

    public static PrefixedSource of(TensorSource source) {
        return new PrefixedSource(source, "");
    }

    @Override
    public String describe() {
        return source.describe();
    }

    @Override
    public String storedName(String hfName) {
        return prefix + hfName;
    }

    @Override
    public Optional<long[]> shape(String hfName) {
        return source.info(prefix + hfName).map(TensorInfo::shape);
    }

    @Override
    public NDArray load(String hfName, NDManager manager, DataType dtype) {
        return source.load(prefix + hfName, manager, dtype);
    }
}
