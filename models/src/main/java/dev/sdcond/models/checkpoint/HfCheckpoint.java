package dev.sdcond.models.checkpoint;

import dev.sdcond.models.Compute;
import dev.sdcond.models.InvalidInputException;
import dev.sdcond.models.ModelMismatchException;
import dev.sdcond.models.clip.ClipTextModel;
import dev.sdcond.models.clip.ClipVisionModel;
import dev.sdcond.models.config.CLIPTextConfig;
import dev.sdcond.models.config.CLIPVisionConfig;
import dev.sdcond.models.config.ConfigFiles;
import dev.sdcond.models.safetensors.TensorSource;
import dev.sdcond.models.weights.PrefixedSource;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * A Hugging Face model folder: {@code config.json} plus safetensors weights (one file or sharded), as saved by
 * transformers' {@code CLIPModel}, {@code CLIPTextModel(WithProjection)} or {@code CLIPVisionModel(WithProjection)}
 * and by diffusers pipelines ({@code text_encoder/}, {@code image_encoder/}).
 */
public final class HfCheckpoint implements AutoCloseable {
    private final Path folder;
    private final ConfigFiles.ModelConfig config;
    private final TensorSource weights;

    private final List<dev.sdcond.models.layout.DetectedTower> towers;

    private HfCheckpoint(Path folder, ConfigFiles.ModelConfig config, TensorSource weights) {
        this.folder = folder;
        this.config = config;
        this.weights = weights;
        this.towers = dev.sdcond.models.layout.LayoutDetector.towers(weights);
    }

    /**
     * Opens a folder that holds {@code config.json} and safetensors weights.
     *
     * @param folder the model folder
     * @return the checkpoint; close it to release the files
     */
    public static HfCheckpoint open(Path folder) {
        if (!Files.isDirectory(folder)) {
            throw new InvalidInputException(folder + ": not a folder (expected config.json + model.safetensors)");
        }
        Path cfg = folder.resolve("config.json");
        if (!Files.isRegularFile(cfg)) {
            throw new InvalidInputException(folder + ": no config.json");
        }
        ConfigFiles.ModelConfig config = ConfigFiles.read(cfg);
        return new HfCheckpoint(folder, config, Checkpoints.open(folder));
    }

    /**
     * The model folder.
     *
     * @return the folder
     */
    public Path folder() {
        return folder;
    }

    /**
     * The parsed {@code config.json}.
     *
     * @return the config
     */
    public ConfigFiles.ModelConfig config() {
        return config;
    }

    /**
     * The weights.
     *
     * @return the folder's safetensors
     */
    public TensorSource weights() {
        return weights;
    }

    /**
     * The text tower's config, if this folder has a text tower.
     *
     * @return the text config, or empty when the folder's config has none
     */
    public Optional<CLIPTextConfig> textConfig() {
        if (config instanceof ConfigFiles.Text t) {
            return Optional.of(t.config());
        }
        if (config instanceof ConfigFiles.Dual d) {
            return Optional.of(d.config().textConfig());
        }
        return Optional.empty();
    }

    /**
     * The vision tower's config, if this folder has a vision tower.
     *
     * @return the vision config, or empty when the folder's config has none
     */
    public Optional<CLIPVisionConfig> visionConfig() {
        if (config instanceof ConfigFiles.Vision v) {
            return Optional.of(v.config());
        }
        if (config instanceof ConfigFiles.Dual d) {
            return Optional.of(d.config().visionConfig());
        }
        return Optional.empty();
    }

    /**
     * Loads the text tower.
     *
     * @param compute device, dtype, attention
     * @return the tower
     */
    public ClipTextModel loadText(Compute compute) {
        return loadText(compute, java.util.function.UnaryOperator.identity());
    }

    /**
     * Loads the text tower from its parameters as {@code patch} changes them (e.g. with LoRAs merged in).
     *
     * @param compute device, dtype, attention
     * @param patch wraps the tower's parameters (e.g. LoRA deltas)
     * @return the tower
     */
    public ClipTextModel loadText(Compute compute,
            java.util.function.UnaryOperator<dev.sdcond.models.weights.ParameterSource> patch) {
        CLIPTextConfig c = textConfig().orElseThrow(() -> new ModelMismatchException(folder
                + ": config.json describes a vision model; a CLIP text encoder is needed"));
        tower(dev.sdcond.models.layout.TowerKind.TEXT).ifPresent(t -> dev.sdcond.models.layout.ConfigConsistency.text(
                c, t, folder.resolve("config.json").toString()));
        return ClipTextModel.load(patch.apply(PrefixedSource.of(weights)), c, compute);
    }

    /**
     * Loads the vision tower.
     *
     * @param compute device, dtype, attention
     * @return the tower
     */
    public ClipVisionModel loadVision(Compute compute) {
        CLIPVisionConfig c = visionConfig().orElseThrow(() -> new ModelMismatchException(folder
                + ": config.json describes a text model; a CLIP vision encoder (image_encoder) is needed"));
        tower(dev.sdcond.models.layout.TowerKind.VISION).ifPresent(t -> dev.sdcond.models.layout.ConfigConsistency
                .vision(c, t, folder.resolve("config.json").toString()));
        return ClipVisionModel.load(PrefixedSource.of(weights), c, compute);
    }

    /**
     * The towers in the weights, as the key names and shapes show them (found once, when opened).
     *
     * @return the towers found in the weights
     */
    public List<dev.sdcond.models.layout.DetectedTower> towers() {
        return towers;
    }

    /** The top-level tower of this kind in the weights. */
    private Optional<dev.sdcond.models.layout.DetectedTower> tower(dev.sdcond.models.layout.TowerKind kind) {
        return towers.stream().filter(t -> t.kind() == kind && t.prefix().isEmpty()).findFirst();
    }

    @Override
    public void close() {
        weights.close();
    }
}
