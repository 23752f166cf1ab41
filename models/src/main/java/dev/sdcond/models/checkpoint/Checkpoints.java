package dev.sdcond.models.checkpoint;

import dev.sdcond.models.InvalidInputException;
import dev.sdcond.models.safetensors.SafetensorsException;
import dev.sdcond.models.safetensors.SafetensorsFile;
import dev.sdcond.models.safetensors.ShardedCheckpoint;
import dev.sdcond.models.safetensors.TensorSource;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;

/** Finds and opens the weights of a checkpoint file or model folder. Only safetensors are read; pickles are refused. */
public final class Checkpoints {
    /** Weight file names tried in a model folder, in order. */
    public static final List<String> FOLDER_WEIGHTS = List.of(
            "model.safetensors", "model.safetensors.index.json",
            "open_clip_model.safetensors", "open_clip_pytorch_model.safetensors");

    private static final List<String> PICKLE_SUFFIXES = List.of(".bin", ".ckpt", ".pt", ".pth", ".pkl", ".pickle");

    private Checkpoints() {}

    /**
     * Opens a {@code .safetensors} file, a {@code *.safetensors.index.json}, or a folder holding one of
     * {@link #FOLDER_WEIGHTS}.
     *
     * @throws InvalidInputException for pickle files and folders without safetensors weights
     * @param path a file or folder
     * @return its tensors
     */
    public static TensorSource open(Path path) {
        if (!Files.exists(path)) {
            throw new InvalidInputException(path + ": no such file or folder");
        }
        if (Files.isDirectory(path)) {
            return open(findWeights(path));
        }
        String name = path.getFileName().toString().toLowerCase(Locale.ROOT);
        if (name.endsWith(".index.json")) {
            return ShardedCheckpoint.open(path);
        }
        try {
            return SafetensorsFile.open(path);
        } catch (SafetensorsException e) {
            // only a file that is not valid safetensors can be called a pickle: its first bytes alone are ambiguous
            // (a safetensors file starts with its header length, which can read as a zip or pickle signature)
            refusePickle(path);
            throw e;
        }
    }

    /**
     * The weights file of a model folder.
     *
     * @param folder a model folder
     * @return its safetensors file or sharded index
     */
    public static Path findWeights(Path folder) {
        for (String n : FOLDER_WEIGHTS) {
            Path p = folder.resolve(n);
            if (Files.isRegularFile(p)) {
                return p;
            }
        }
        try (Stream<Path> files = Files.list(folder)) {
            List<Path> all = files.sorted().toList();
            List<Path> safetensors = all.stream()
                    .filter(p -> p.getFileName().toString().endsWith(".safetensors")).toList();
            if (safetensors.size() == 1) {
                return safetensors.get(0);
            }
            if (safetensors.size() > 1) {
                throw new InvalidInputException(folder + ": several .safetensors files and no model.safetensors or "
                        + "model.safetensors.index.json; name the file to use: " + names(safetensors));
            }
            List<Path> pickles = all.stream().filter(Checkpoints::looksLikePickleName).toList();
            if (!pickles.isEmpty()) {
                throw new InvalidInputException(folder + ": only pickle weights found (" + names(pickles)
                        + "); pickle files can run code when loaded and are not read. " + PICKLE_HINT);
            }
            throw new InvalidInputException(folder + ": no safetensors weights (looked for " + FOLDER_WEIGHTS + ")");
        } catch (IOException e) {
            throw dev.sdcond.models.io.InputFiles.unreadable(folder, e);
        }
    }

    private static final String PICKLE_HINT = "Convert it to safetensors first, e.g. in Python: "
            + "safetensors.torch.save_file(torch.load(path, weights_only=True), 'model.safetensors') "
            + "(for a full SD .ckpt take its 'state_dict').";

    private static void refusePickle(Path file) {
        boolean byName = looksLikePickleName(file);
        boolean byContent = false;
        try (InputStream in = Files.newInputStream(file)) {
            byte[] head = in.readNBytes(4);
            // a PyTorch zip archive ("PK\3\4") or a raw pickle (protocol opcode 0x80 then version 2..5)
            byContent = (head.length == 4 && head[0] == 'P' && head[1] == 'K' && head[2] == 3 && head[3] == 4)
                    || (head.length >= 2 && (head[0] & 0xff) == 0x80 && head[1] >= 2 && head[1] <= 5);
        } catch (IOException e) {
            throw dev.sdcond.models.io.InputFiles.unreadable(file, e);
        }
        if (byName || byContent) {
            throw new InvalidInputException(file + ": this is a PyTorch pickle checkpoint, not safetensors; pickle files"
                    + " can run code when loaded and are not read. " + PICKLE_HINT);
        }
    }

    private static boolean looksLikePickleName(Path p) {
        String n = p.getFileName().toString().toLowerCase(Locale.ROOT);
        return PICKLE_SUFFIXES.stream().anyMatch(n::endsWith);
    }

    private static String names(List<Path> paths) {
        return String.join(", ", paths.stream().map(p -> p.getFileName().toString()).toList());
    }
}
