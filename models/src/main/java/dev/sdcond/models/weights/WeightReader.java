package dev.sdcond.models.weights;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import dev.sdcond.models.ModelMismatchException;
import dev.sdcond.models.Precision;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * Takes a tower's parameters one by one, checking each shape before reading it. Problems are collected, not thrown,
 * so that {@link #finish} reports every missing or mismatched key at once.
 */
public final class WeightReader {
    private final ParameterSource source;
    private final NDManager manager;
    private final Precision precision;
    private final List<String> problems = new ArrayList<>();

    public WeightReader(ParameterSource source, NDManager manager, Precision precision) {
        this.source = source;
        this.manager = manager;
        this.precision = precision;
    }

    /**
     * Reads a required parameter of the given shape. On a problem it records it and returns a zero placeholder of the
     * expected shape, so that building can go on and collect the rest.
     */
    public NDArray take(String hfName, long... expected) {
        DataType dtype = precision.loadType();
        if (source instanceof RandomParameters random && random.shape(hfName).isEmpty()) {
            return random.generate(hfName, expected, manager, dtype);
        }
        Optional<long[]> found = source.shape(hfName);
        if (found.isEmpty()) {
            problems.add("missing " + source.storedName(hfName) + " " + Arrays.toString(expected));
            return manager.zeros(new ai.djl.ndarray.types.Shape(expected), dtype);
        }
        if (!Arrays.equals(found.get(), expected)) {
            problems.add(source.storedName(hfName) + " has shape " + Arrays.toString(found.get()) + ", expected "
                    + Arrays.toString(expected));
            return manager.zeros(new ai.djl.ndarray.types.Shape(expected), dtype);
        }
        return source.load(hfName, manager, dtype);
    }

    /** The precision the tower is loaded for. */
    public Precision precision() {
        return precision;
    }

    /**
     * {@code a} for the layers' matrix products (bfloat16 when the precision says so), closing {@code a}: for the
     * weights and biases of the transformer layers' projections, after any constant is folded into them.
     */
    public NDArray forProducts(NDArray a) {
        if (!precision.bfloat16Products()) {
            return a;
        }
        try (a) {
            return precision.toProductType(a);
        }
    }

    /** The stored shape of a parameter, to size optional parts from the checkpoint itself. */
    public Optional<long[]> shape(String hfName) {
        return source.shape(hfName);
    }

    /**
     * Throws one {@link ModelMismatchException} listing every problem seen, if any.
     *
     * @param what what was being loaded, e.g. "CLIP text tower (12 layers, width 768)"
     */
    public void finish(String what) {
        if (!problems.isEmpty()) {
            throw new ModelMismatchException(source.describe() + ": cannot load " + what + ": " + problems.size()
                    + " problem(s):\n  " + String.join("\n  ", problems));
        }
    }
}
