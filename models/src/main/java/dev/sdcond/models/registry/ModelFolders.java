package dev.sdcond.models.registry;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The folder conventions of the tools people download models with: a diffusers pipeline folder holds
 * {@code text_encoder/}, {@code text_encoder_2/} beside {@code tokenizer/}, {@code tokenizer_2/}, and
 * {@code image_encoder/}; an IP-Adapter repository holds {@code models/image_encoder/}. A folder with a
 * {@code config.json} of its own is a model folder, never a pipeline.
 */
public final class ModelFolders {
    /** A pipeline's text encoder folders, in the order of the preset's encoders. */
    public static final List<String> TEXT_ENCODERS = List.of("text_encoder", "text_encoder_2", "text_encoder_3");
    /** The tokenizer folder beside each text encoder folder. */
    public static final List<String> TOKENIZERS = List.of("tokenizer", "tokenizer_2", "tokenizer_3");
    /** Where image encoders live: a diffusers pipeline, then an IP-Adapter repository. */
    public static final List<String> IMAGE_ENCODERS = List.of("image_encoder", "models/image_encoder");

    private ModelFolders() {}

    /**
     * A pipeline's text encoder folders.
     *
     * @param pipeline a pipeline folder
     * @return {@code text_encoder/} and, when present, {@code text_encoder_2/} and {@code text_encoder_3/}; empty when
     *     it has none
     */
    public static List<Path> textEncoders(Path pipeline) {
        List<Path> out = new ArrayList<>();
        if (!ownsConfig(pipeline) && Files.isDirectory(pipeline.resolve(TEXT_ENCODERS.get(0)))) {
            for (String s : TEXT_ENCODERS) {
                if (Files.isDirectory(pipeline.resolve(s))) {
                    out.add(pipeline.resolve(s));
                }
            }
        }
        return out;
    }

    /**
     * The tokenizer folder of the pipeline that an encoder folder belongs to.
     *
     * @param encoderFolder a text encoder's folder
     * @param index its position among the preset's encoders
     * @return {@code ../tokenizer/} or {@code ../tokenizer_2/} when the folder is a pipeline's
     *     {@code text_encoder*} and that folder exists; else null
     */
    public static Path siblingTokenizer(Path encoderFolder, int index) {
        Path parent = encoderFolder.toAbsolutePath().getParent();
        Path name = encoderFolder.getFileName();
        if (parent == null || name == null || !name.toString().startsWith(TEXT_ENCODERS.get(0))
                || index >= TOKENIZERS.size()) {
            return null;
        }
        Path sibling = parent.resolve(TOKENIZERS.get(index));
        return Files.isDirectory(sibling) ? sibling : null;
    }

    /**
     * The image encoder a folder holds or is.
     *
     * @param folder a model folder, a pipeline or an IP-Adapter repository
     * @return its {@code image_encoder/} or {@code models/image_encoder/}, else the folder itself
     */
    public static Path imageEncoder(Path folder) {
        if (!ownsConfig(folder)) {
            for (String s : IMAGE_ENCODERS) {
                if (Files.isDirectory(folder.resolve(s))) {
                    return folder.resolve(s);
                }
            }
        }
        return folder;
    }

    /**
     * Every encoder folder a pipeline or repository folder holds.
     *
     * @param folder any path
     * @return its text and image encoder folders; empty for a model folder or a file
     */
    public static List<Path> parts(Path folder) {
        List<Path> out = new ArrayList<>();
        if (!Files.isDirectory(folder) || ownsConfig(folder)) {
            return out;
        }
        for (String s : TEXT_ENCODERS) {
            if (Files.isDirectory(folder.resolve(s))) {
                out.add(folder.resolve(s));
            }
        }
        for (String s : IMAGE_ENCODERS) {
            if (Files.isDirectory(folder.resolve(s))) {
                out.add(folder.resolve(s));
            }
        }
        return out;
    }

    /**
     * Whether a model folder holds a T5 encoder ({@code config.json} with {@code "model_type": "t5"}), as Flux's
     * {@code text_encoder_2/} and SD3's {@code text_encoder_3/} do.
     *
     * @param folder a model folder
     * @return true for a T5 encoder folder
     */
    public static boolean isT5Encoder(Path folder) {
        Path config = folder.resolve("config.json");
        if (!Files.isRegularFile(config)) {
            return false;
        }
        try {
            return "t5".equals(new com.fasterxml.jackson.databind.ObjectMapper()
                    .readTree(dev.sdcond.models.io.InputFiles.readUtf8(config)).path("model_type").asText());
        } catch (java.io.IOException | RuntimeException e) {
            return false; // not JSON: loading it reports the problem
        }
    }

    private static boolean ownsConfig(Path folder) {
        return Files.exists(folder.resolve("config.json"));
    }
}
