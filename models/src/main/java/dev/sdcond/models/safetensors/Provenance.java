package dev.sdcond.models.safetensors;

import dev.sdcond.models.NumericalException;
import ai.djl.ndarray.NDArray;
import dev.sdcond.models.safetensors.SafetensorsWriter;

/** What every output records about where it came from, and the checks every output passes. */
public final class Provenance {
    /** The toolkit's version, recorded as {@code sdcond.version}. */
    public static final String VERSION = "0.1.0";
    /** The {@code model_sha256} value when hashing was turned off. */
    public static final String NOT_COMPUTED = "not computed";

    private Provenance() {}

    /**
     * Records the version and the provenance hash of the weights read, with what the hash covers.
     *
     * @param w the output
     * @param sha256 the hash ({@code TensorSource.usedSha256}), or {@link #NOT_COMPUTED}
     * @param tensorsRead how many tensors were read (0 for random weights)
     */
    public static void record(SafetensorsWriter w, String sha256, int tensorsRead) {
        w.metadata("model_sha256", sha256);
        if (!sha256.equals(NOT_COMPUTED)) {
            w.metadata("model_sha256_covers", tensorsRead == 0 ? "nothing (random weights)"
                    : "each weight file's header, then the bytes of the " + tensorsRead
                            + " tensor(s) read from it, in file order (other parts of the file are not hashed)");
        }
    }

    /**
     * Whether a tensor holds no NaN and no Inf.
     *
     * @param a the tensor
     * @return true when every value is finite
     */
    public static boolean allFinite(NDArray a) {
        return a.isInfinite().logicalOr(a.isNaN()).none().getBoolean();
    }

    /**
     * Adds a tensor to an output after checking that it is finite: NaN or Inf is an error, and nothing is written.
     *
     * @param w the output
     * @param key the tensor's name
     * @param a the tensor, or null to add nothing
     * @throws NumericalException when it holds NaN or Inf
     */
    public static void addFinite(SafetensorsWriter w, String key, NDArray a) {
        if (a == null) {
            return;
        }
        if (!allFinite(a)) {
            throw new NumericalException(key + " contains NaN or Inf (numerical overflow? compute in float32)");
        }
        w.add(key, a);
    }

    /**
     * A list of strings as a JSON array, for metadata.
     *
     * @param values the strings (null entries become JSON null)
     * @return e.g. {@code ["a","b"]}
     */
    public static String jsonArray(java.util.List<String> values) {
        com.fasterxml.jackson.databind.node.ArrayNode a = new com.fasterxml.jackson.databind.ObjectMapper()
                .createArrayNode();
        values.forEach(a::add);
        return a.toString();
    }
}
