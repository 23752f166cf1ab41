package dev.sdcond.models.testing;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import dev.sdcond.models.safetensors.SafetensorsFile;
import dev.sdcond.models.safetensors.SafetensorsWriter;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Golden-file checks for a pipeline's tests: compare a tensor with one stored in a safetensors file.
 *
 * <pre>{@code GoldenTensors.assertClose(cond.hiddenStates(), Path.of("src/test/resources/cat.safetensors"),
 *         "hidden_states", 1e-4);}</pre>
 *
 * <p>A missing golden file or key fails the check, unless the system property {@value #WRITE_PROPERTY} is
 * {@code true}: then it is written from the actual tensor (and the check fails all the same, naming what was
 * written, so that a run that records goldens never passes silently). Nothing is ever written without the property.
 */
public final class GoldenTensors {
    /** Set to {@code true} to record missing goldens. */
    public static final String WRITE_PROPERTY = "sdcond.writeGoldens";

    private GoldenTensors() {}

    /**
     * Throws {@link AssertionError} unless {@code actual} matches {@code key} of {@code golden} within {@code atol}.
     *
     * @param actual the computed tensor
     * @param golden the golden file
     * @param key the tensor's key in it
     * @param atol the absolute tolerance
     */
    public static void assertClose(NDArray actual, Path golden, String key, double atol) {
        assertClose(actual, golden, key, atol, 0);
    }

    /**
     * As {@link #assertClose(NDArray, Path, String, double)}, with numpy's rtol too.
     *
     * @param actual the computed tensor
     * @param golden the golden file
     * @param key the tensor's key in it
     * @param atol the absolute tolerance
     * @param rtol the relative tolerance
     */
    public static void assertClose(NDArray actual, Path golden, String key, double atol, double rtol) {
        float[] a = actual.toType(DataType.FLOAT32, false).toFloatArray();
        long[] shape = actual.getShape().getShape();
        boolean present;
        try (SafetensorsFile f = Files.exists(golden) ? SafetensorsFile.open(golden) : null) {
            present = f != null && f.info(key).isPresent();
            if (present) {
                try (NDManager m = NDManager.newBaseManager()) {
                    NDArray e = f.load(key, m, DataType.FLOAT32);
                    TensorDiff d = TensorDiff.of(key, e.getShape().getShape(), e.toFloatArray(), shape, a, atol, rtol);
                    if (!d.ok()) {
                        throw new AssertionError(golden + ": " + d.describe() + " (atol " + atol + ", rtol " + rtol + ")");
                    }
                    return;
                }
            }
        }
        if (!Boolean.getBoolean(WRITE_PROPERTY)) {
            throw new AssertionError(golden + ": no golden '" + key + "' (run with -D" + WRITE_PROPERTY
                    + "=true to record it)");
        }
        record(golden, key, shape, a);
        throw new AssertionError(golden + ": golden '" + key + "' was missing and has been written; check it in and"
                + " run again");
    }

    private static void record(Path golden, String key, long[] shape, float[] values) {
        {
            SafetensorsWriter w = new SafetensorsWriter();
            if (Files.exists(golden)) {
                try (SafetensorsFile f = SafetensorsFile.open(golden); NDManager m = NDManager.newBaseManager()) {
                    for (String k : f.names()) {
                        w.add(k, f.load(k, m, f.info(k).orElseThrow().dtype().isFloat() ? DataType.FLOAT32 : DataType.INT64));
                    }
                    f.metadata().forEach(w::metadata);
                }
            }
            w.addFloats(key, shape, values).write(golden, true);
        }
    }
}
