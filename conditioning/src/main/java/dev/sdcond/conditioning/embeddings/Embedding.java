package dev.sdcond.conditioning.embeddings;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import dev.sdcond.models.checkpoint.Checkpoints;
import dev.sdcond.models.InvalidInputException;
import dev.sdcond.models.safetensors.TensorSource;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * A textual-inversion embedding: n vectors that stand in for n token positions. Read from a safetensors file in any of
 * the tools' formats: A1111's {@code emb_params} or {@code string_to_param.*}, diffusers' single key
 * ({@code {"<token>": [n, W]}} or a 1-D {@code [W]}), and SDXL's dual files ({@code clip_l} + {@code clip_g}); F16,
 * BF16 and F32 storage, used as float32.
 *
 * @param name the file's stem: what A1111 triggers on and ComfyUI's {@code embedding:NAME} names
 * @param file the file
 * @param vectors per part: {@code ""} for a single-encoder file, else {@code clip_l} and {@code clip_g}; [n][W]
 * @param a1111 whether A1111 would load it: its loader takes a safetensors file of one tensor, or one with both
 *     {@code clip_l} and {@code clip_g}, and refuses any other ("embedding file has multiple terms in it"), while
 *     ComfyUI takes {@code emb_params}, {@code string_to_param.*} or else its first key in sorted order
 */
public record Embedding(String name, Path file, Map<String, float[][]> vectors, boolean a1111) {
    /** Wider vectors are no text encoder's (CLIP-L 768, OpenCLIP-H 1024, bigG 1280): such a file is not read. */
    public static final int MAX_WIDTH = 8192;

    /** The part of a single-encoder file. */
    public static final String SINGLE = "";

    /**
     * Reads a file.
     *
     * @param file a safetensors embedding file
     * @return the embedding
     */
    public static Embedding read(Path file) {
        String fileName = file.getFileName().toString();
        String name = fileName.endsWith(".safetensors") ? fileName.substring(0, fileName.length() - 12) : fileName;
        try (TensorSource src = Checkpoints.open(file); NDManager m = NDManager.newBaseManager()) {
            TreeSet<String> keys = new TreeSet<>(src.names());
            Map<String, float[][]> vectors = new LinkedHashMap<>();
            boolean a1111 = keys.size() == 1 || keys.contains("clip_l") && keys.contains("clip_g");
            if (keys.contains("clip_l") || keys.contains("clip_g")) {
                for (String part : List.of("clip_l", "clip_g")) {
                    if (keys.contains(part)) {
                        vectors.put(part, rows(src, part, m));
                    }
                }
            } else if (keys.contains("emb_params")) {
                vectors.put(SINGLE, rows(src, "emb_params", m));
            } else if (keys.stream().anyMatch(k -> k.startsWith("string_to_param."))) {
                vectors.put(SINGLE, rows(src, keys.stream().filter(k -> k.startsWith("string_to_param.")).findFirst()
                        .orElseThrow(), m));
            } else if (!keys.isEmpty()) {
                vectors.put(SINGLE, rows(src, keys.first(), m));
            } else {
                throw new InvalidInputException(file + ": no tensors: not a textual-inversion embedding");
            }
            return new Embedding(name, file, Map.copyOf(vectors), a1111);
        }
    }

    /**
     * Why A1111 does not load this file, or null when it does.
     *
     * @return the reason, naming the file
     */
    public String a1111Refusal() {
        return a1111 ? null : "'" + name + "' (" + file.getFileName() + ") holds several tensors, and A1111 refuses such"
                + " a file (\"embedding file has multiple terms in it\"), so the name is encoded as text";
    }

    private static float[][] rows(TensorSource src, String key, NDManager m) {
        long[] shape = src.info(key).orElseThrow().shape();
        if (shape.length < 1 || shape.length > 2 || shape[shape.length - 1] == 0 || shape[shape.length - 1] > MAX_WIDTH
                || shape.length == 2 && (shape[0] == 0 || shape[0] > 75)) {
            throw new InvalidInputException(src.describe() + ": embedding '" + key + "' has shape "
                    + java.util.Arrays.toString(shape) + "; expected [W] or [n, W] with 1 <= n <= 75 and W <= "
                    + MAX_WIDTH);
        }
        int n = shape.length == 1 ? 1 : (int) shape[0];
        int w = (int) shape[shape.length - 1];
        float[] flat;
        try (NDArray a = src.load(key, m, DataType.FLOAT32)) {
            flat = a.toFloatArray();
        }
        for (int i = 0; i < flat.length; i++) {
            if (!Float.isFinite(flat[i])) {
                throw new InvalidInputException(src.describe() + ": embedding '" + key + "' holds " + flat[i]
                        + " (vector " + i / w + ", component " + i % w + "): not a usable embedding");
            }
        }
        float[][] out = new float[n][w];
        for (int i = 0; i < n; i++) {
            System.arraycopy(flat, i * w, out[i], 0, w);
        }
        return out;
    }

    /**
     * Whether this is an SDXL dual file.
     *
     * @return whether it holds SDXL's clip_l and clip_g vectors
     */
    public boolean dual() {
        return !vectors.containsKey(SINGLE);
    }

    /**
     * The vectors for encoder {@code part} ({@code clip_l}, {@code clip_g}), as ComfyUI picks them: the part's own
     * key in a dual file, else the single part; null when a dual file lacks it.
     *
     * @param part {@code clip_l} or {@code clip_g}
     * @return the vectors [count][width], or null when the file has none for it
     */
    public float[][] forPart(String part) {
        return vectors.containsKey(SINGLE) ? vectors.get(SINGLE) : vectors.get(part);
    }

    /**
     * How many vectors (token positions) this embedding takes.
     *
     * @return the number of vectors
     */
    public int count() {
        return vectors.values().iterator().next().length;
    }

    /**
     * The width of the vectors of a part (of the single part, or clip_l + clip_g for a dual file).
     *
     * @return the width of the (first part's) vectors
     */
    public int width() {
        return vectors.values().stream().mapToInt(v -> v[0].length).sum();
    }
}
