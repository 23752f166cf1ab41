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

    /**
     * The checkpoint, for messages.
     *
     * @return the source, for messages
     */
    String describe();

    /**
     * How the parameter is named in the checkpoint, for messages.
     *
     * @param hfName a parameter's Hugging Face name
     * @return the name it is stored under, for messages
     */
    String storedName(String hfName);

    /**
     * The parameter's shape in Hugging Face orientation, or empty when the checkpoint lacks it.
     *
     * @param hfName a parameter's Hugging Face name
     * @return its shape as the tower takes it, or empty when absent
     */
    Optional<long[]> shape(String hfName);

    /**
     * The dtype the parameter is stored in, where the checkpoint says (for towers that keep 16-bit weights as they
     * are stored).
     *
     * @param hfName a parameter's Hugging Face name
     * @return its stored dtype, or empty when absent or unknown (generated)
     */
    default Optional<dev.sdcond.models.safetensors.DType> storedType(String hfName) {
        return Optional.empty();
    }

    /**
     * Reads the parameter in Hugging Face orientation, converted to {@code dtype}, into {@code manager}.
     *
     * @param hfName a parameter's Hugging Face name
     * @param manager where the array is made
     * @param dtype the dtype to load it in
     * @return the array
     */
    NDArray load(String hfName, NDManager manager, DataType dtype);

    /**
     * Whether parameters are generated in whatever shape is asked for (random weights): there is no header to check
     * names and shapes against, and {@link #load(String, long[], NDManager, DataType)} makes them.
     *
     * @return whether the parameters are made rather than read (random weights)
     */
    default boolean generated() {
        return false;
    }

    /**
     * Reads a parameter the loader expects in {@code shape}; a {@link #generated} source makes it in that shape.
     *
     * @param hfName a parameter's Hugging Face name
     * @param shape the shape asked for
     * @param manager where the array is made
     * @param dtype the dtype to load it in
     * @return the array
     */
    default NDArray load(String hfName, long[] shape, NDManager manager, DataType dtype) {
        return load(hfName, manager, dtype);
    }
}
