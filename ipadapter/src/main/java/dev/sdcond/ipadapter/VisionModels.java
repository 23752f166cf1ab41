package dev.sdcond.ipadapter;

import dev.sdcond.models.Compute;
import dev.sdcond.models.ClipCheckpoint;
import dev.sdcond.models.InvalidInputException;
import dev.sdcond.models.clip.ClipVisionModel;
import dev.sdcond.models.config.CLIPVisionConfig;
import dev.sdcond.models.config.ClipFamilies;
import dev.sdcond.models.weights.RandomParameters;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Loads an image encoder from {@code builtin:vit-h-random} / {@code builtin:vit-bigg-random}, a Hugging Face folder
 * ({@code config.json} of a vision or dual CLIP model), a diffusers pipeline folder ({@code image_encoder/}), an
 * IP-Adapter repository ({@code models/image_encoder/}), or an OpenCLIP file or folder.
 */
public final class VisionModels {
    public static final String BUILTIN = "builtin:";
    public static final List<String> BUILTINS = List.of("vit-h-random", "vit-bigg-random");

    private VisionModels() {}

    public static LoadedVisionModel open(String spec, Compute compute) {
        List<AutoCloseable> resources = new ArrayList<>();
        try {
            if (spec.startsWith(BUILTIN)) {
                String name = spec.substring(BUILTIN.length());
                CLIPVisionConfig c = switch (name) {
                    case "vit-h-random" -> ClipFamilies.OPENCLIP_H_VISION;
                    case "vit-bigg-random" -> ClipFamilies.OPENCLIP_BIGG_VISION;
                    default -> throw new InvalidInputException("unknown builtin image encoder '" + spec + "' ("
                            + String.join(", ", BUILTINS.stream().map(b -> BUILTIN + b).toList()) + ")");
                };
                ClipVisionModel tower = ClipVisionModel.load(new RandomParameters(0,
                        Map.of("visual_projection.weight", new long[] {c.projectionDim(), c.hiddenSize()})), c, compute);
                resources.add(tower);
                return new LoadedVisionModel(tower, spec + " (random weights, seed 0)", List.of(),
                        Map.of("random_weights", "true"), resources);
            }
            Path folder = Path.of(spec);
            for (String sub : List.of("image_encoder", "models/image_encoder")) {
                if (Files.isDirectory(folder) && Files.isDirectory(folder.resolve(sub))
                        && !Files.exists(folder.resolve("config.json"))) {
                    folder = folder.resolve(sub);
                    break;
                }
            }
            ClipCheckpoint ckpt = ClipCheckpoint.open(folder);
            resources.add(ckpt);
            ClipVisionModel tower = ckpt.loadVision(compute);
            resources.add(tower);
            return new LoadedVisionModel(tower, folder + " (" + tower.numLayers() + " layers, width " + tower.width()
                    + ", patch " + tower.config().patchSize() + ")",
                    List.of(ckpt.source()), Map.of(), resources);
        } catch (RuntimeException e) {
            new LoadedVisionModel(null, "", List.of(), Map.of(), resources).close();
            throw e;
        }
    }
}
