package dev.sdcond.models.weights;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import java.util.Optional;

/**
 * A tower's parameters addressed by their Hugging Face names ({@code text_model.encoder.layers.0.mlp.fc1.weight},
 * {@code visual_projection.weight}, ...), whatever layout the checkpoint stores them in. One implementation per
 * checkpoint layout holds that layout's key table.
 */
public interface ParameterSource {

    /** The checkpoint, for messages. */
    String describe();

    /** How the parameter is named in the checkpoint, for messages. */
    String storedName(String hfName);

    /** The parameter's shape in Hugging Face orientation, or empty when the checkpoint lacks it. */
    Optional<long[]> shape(String hfName);

    /** Reads the parameter in Hugging Face orientation, converted to {@code dtype}, into {@code manager}. */
    NDArray load(String hfName, NDManager manager, DataType dtype);

    /**
     * Whether parameters are generated in whatever shape is asked for (random weights): there is no header to check
     * names and shapes against, and {@link #load(String, long[], NDManager, DataType)} makes them.
     */
    default boolean generated() {
        return false;
    }

    /** Reads a parameter the loader expects in {@code shape}; a {@link #generated} source makes it in that shape. */
    default NDArray load(String hfName, long[] shape, NDManager manager, DataType dtype) {
        return load(hfName, manager, dtype);
    }
}
