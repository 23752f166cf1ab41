package dev.sdcond.models;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.fail;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import dev.sdcond.models.safetensors.SafetensorsFile;
import java.nio.file.Files;
import java.nio.file.Path;

/** Access to the golden fixtures in {@code testdata/goldens} and tolerance checks against them. */
public final class Goldens {
    /** The README's tolerance for hidden states and embeddings. */
    public static final float ATOL = 1e-4f;

    private Goldens() {}

    /** The goldens folder: the {@code sdcond.goldens} property (set by Maven), else found upwards from here. */
    public static Path dir() {
        String p = System.getProperty("sdcond.goldens");
        if (p != null && Files.isDirectory(Path.of(p))) {
            return Path.of(p);
        }
        Path d = Path.of("").toAbsolutePath();
        while (d != null) {
            Path g = d.resolve("testdata/goldens");
            if (Files.isDirectory(g)) {
                return g;
            }
            d = d.getParent();
        }
        throw new IllegalStateException("testdata/goldens not found");
    }

    public static Path path(String relative) {
        return dir().resolve(relative);
    }

    /** The {@code prompts} list of a golden JSON file (the prompts its tensors' rows were made from, in order). */
    public static java.util.List<String> prompts(String jsonFile) throws java.io.IOException {
        java.util.List<String> out = new java.util.ArrayList<>();
        new com.fasterxml.jackson.databind.ObjectMapper().readTree(path(jsonFile).toFile()).get("prompts")
                .forEach(p -> out.add(p.asText()));
        return out;
    }

    /** Reads one golden tensor as float32 into {@code manager}. */
    public static NDArray read(NDManager manager, String file, String key) {
        try (SafetensorsFile f = SafetensorsFile.open(path(file))) {
            return f.load(key, manager, DataType.FLOAT32);
        }
    }

    /** Reads a golden I64 [B, T] tensor of token ids. */
    public static long[][] readIds(NDManager manager, String file, String key) {
        try (SafetensorsFile f = SafetensorsFile.open(path(file)); NDArray a = f.load(key, manager, DataType.INT64)) {
            long[] flat = a.toLongArray();
            int b = (int) a.getShape().get(0);
            int t = (int) a.getShape().get(1);
            long[][] out = new long[b][t];
            for (int i = 0; i < b; i++) {
                System.arraycopy(flat, i * t, out[i], 0, t);
            }
            return out;
        }
    }

    /** Asserts equal shapes and max abs error within {@code atol}, reporting the worst index. */
    public static void assertClose(NDArray expected, NDArray actual, float atol, String what) {
        assertArrayEquals(expected.getShape().getShape(), actual.getShape().getShape(), what + ": shape");
        float[] e = expected.toType(DataType.FLOAT32, false).toFloatArray();
        float[] a = actual.toType(DataType.FLOAT32, false).toFloatArray();
        double worst = 0;
        int at = -1;
        for (int i = 0; i < e.length; i++) {
            double d = Math.abs((double) e[i] - a[i]);
            if (!(d <= worst)) {
                worst = d;
                at = i;
            }
        }
        if (!(worst <= atol)) {
            fail(what + ": max abs error " + worst + " at flat index " + at + " (expected " + e[at] + ", got " + a[at]
                    + "), tolerance " + atol);
        }
    }

    /**
     * A copy of a golden pipeline folder (t5/flux-tiny, t5/sd3-tiny) with the files its links.json points to copied in.
     *
     * @param relative the folder, relative to the goldens
     * @param to where the copy goes (must not exist)
     * @return {@code to}
     */
    public static Path assemblePipeline(String relative, Path to) throws java.io.IOException {
        Path from = path(relative);
        copyTree(from, to);
        com.fasterxml.jackson.databind.JsonNode links = new com.fasterxml.jackson.databind.ObjectMapper()
                .readTree(from.resolve("links.json").toFile());
        for (java.util.Iterator<String> it = links.fieldNames(); it.hasNext();) {
            String k = it.next();
            Files.copy(path(links.get(k).asText()), to.resolve(k));
        }
        return to;
    }

    /**
     * A copy of a folder and everything in it.
     *
     * @param from the folder
     * @param to where the copy goes (must not exist)
     */
    public static void copyTree(Path from, Path to) throws java.io.IOException {
        try (java.util.stream.Stream<Path> files = Files.walk(from)) {
            for (Path f : files.toList()) {
                Path target = to.resolve(from.relativize(f).toString());
                if (Files.isDirectory(f)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(f, target);
                }
            }
        }
    }
}
