package dev.sdcond.spark;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import dev.sdcond.models.safetensors.DType;
import dev.sdcond.models.safetensors.NpyWriter;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.Serializable;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Pattern;
import java.util.zip.CRC32;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

/**
 * One NumPy {@code .npz} file per row, {@code ID.npz} in a folder every executor can write, as {@code np.savez} writes
 * them (a zip of stored {@code NAME.npy} entries, float32): for SDXL the arrays kohya's sd-scripts caches
 * ({@code hidden_state1} = CLIP-L's part of the hidden states [77k, 768], {@code hidden_state2} = bigG's [77k, 1280],
 * {@code pool2} [1280]), for other presets the tensors under their output names, without the batch dimension. Each
 * file is written beside its final name and moved into place, so a file is whole or absent.
 *
 * @param folder the folder
 */
record NpzItems(String folder) implements Serializable {
    private static final Pattern SAFE_ID = Pattern.compile("[A-Za-z0-9._-]{1,200}");

    /**
     * The arrays of one row's file.
     *
     * @param names the tensors' output names, in column order
     * @param tensors the row's tensors (null entries skipped)
     * @param kohya whether the SDXL split applies
     * @param firstWidth the first encoder's width (SDXL: CLIP-L's), where the hidden states are split
     * @return the npz entries
     */
    Map<String, NDArray> entries(java.util.List<String> names, NDArray[] tensors, boolean kohya, int firstWidth) {
        Map<String, NDArray> out = new LinkedHashMap<>();
        if (kohya) {
            out.put("hidden_state1", tensors[0].get(":, 0:" + firstWidth));
            out.put("hidden_state2", tensors[0].get(":, " + firstWidth + ":"));
            out.put("pool2", tensors[1]);
            return out;
        }
        for (int i = 0; i < tensors.length; i++) {
            if (tensors[i] != null) {
                out.put(names.get(i), tensors[i]);
            }
        }
        return out;
    }

    /**
     * Writes {@code ID.npz}.
     *
     * @param id the row's id (letters, digits, {@code . _ -})
     * @param arrays the entries
     * @throws dev.sdcond.models.InvalidInputException for an id that cannot be a file name
     * @throws dev.sdcond.models.OutputException when the file cannot be written
     */
    void write(String id, Map<String, NDArray> arrays) {
        if (id == null || !SAFE_ID.matcher(id).matches() || id.startsWith(".")) {
            throw new dev.sdcond.models.InvalidInputException("id '" + id + "' cannot name an .npz file (letters,"
                    + " digits, '.', '_' and '-' only, not starting with '.')");
        }
        Path dir = Path.of(folder);
        Path target = dir.resolve(id + ".npz");
        Path tmp = dir.resolve("." + id + ".npz." + java.util.UUID.randomUUID() + ".tmp");
        try {
            Files.createDirectories(dir);
            try (OutputStream os = Files.newOutputStream(tmp); ZipOutputStream zip = new ZipOutputStream(os)) {
                for (Map.Entry<String, NDArray> e : arrays.entrySet()) {
                    NDArray a = e.getValue();
                    ByteArrayOutputStream npy = new ByteArrayOutputStream();
                    ByteBuffer data = ByteBuffer.wrap(a.toType(DataType.FLOAT32, false).toByteArray())
                            .order(ByteOrder.LITTLE_ENDIAN);
                    NpyWriter.write(npy, DType.F32, a.getShape().getShape(), data);
                    byte[] bytes = npy.toByteArray();
                    ZipEntry entry = new ZipEntry(e.getKey() + ".npy");
                    entry.setMethod(ZipEntry.STORED); // as np.savez
                    entry.setSize(bytes.length);
                    CRC32 crc = new CRC32();
                    crc.update(bytes);
                    entry.setCrc(crc.getValue());
                    zip.putNextEntry(entry);
                    zip.write(bytes);
                    zip.closeEntry();
                }
            }
            Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            try {
                Files.deleteIfExists(tmp);
            } catch (IOException ignored) {
                // the write's own error is the one to report
            }
            throw new dev.sdcond.models.OutputException(target + ": cannot be written: " + e.getMessage(), e);
        }
    }
}
