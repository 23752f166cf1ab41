package dev.sdcond.ipadapter;

import dev.sdcond.models.Compute;
import dev.sdcond.models.checkpoint.ClipCheckpoint;
import dev.sdcond.models.clip.ClipVisionModel;
import dev.sdcond.models.config.CLIPVisionConfig;
import dev.sdcond.models.layout.TowerKind;
import dev.sdcond.models.registry.Builtin;
import dev.sdcond.models.registry.ModelFolders;
import dev.sdcond.models.weights.RandomParameters;
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
    private VisionModels() {}

    /**
     * Loads an image encoder.
     *
     * @param spec a folder, a file or {@code builtin:NAME}
     * @param compute device, dtype, attention
     * @return the encoder; close it to free its weights
     * @throws dev.sdcond.models.InvalidInputException for a missing or malformed model
     * @throws dev.sdcond.models.ModelMismatchException for a checkpoint without an image encoder
     */
    public static LoadedVisionModel open(String spec, Compute compute) {
        List<AutoCloseable> resources = new ArrayList<>();
        try {
            if (Builtin.isBuiltin(spec)) {
                CLIPVisionConfig c = Builtin.parse(spec, TowerKind.VISION).towers().get(0).visionConfig();
                ClipVisionModel tower = ClipVisionModel.load(new RandomParameters(Builtin.SEED,
                        Map.of("visual_projection.weight", new long[] {c.projectionDim(), c.hiddenSize()})), c, compute);
                resources.add(tower);
                return new LoadedVisionModel(tower, spec + " (random weights, seed " + Builtin.SEED + ")", List.of(),
                        Map.of("random_weights", "true"), resources);
            }
            Path folder = ModelFolders.imageEncoder(Path.of(spec));
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
