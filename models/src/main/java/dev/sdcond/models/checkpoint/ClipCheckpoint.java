package dev.sdcond.models.checkpoint;

import dev.sdcond.models.Compute;
import dev.sdcond.models.InvalidInputException;
import dev.sdcond.models.ModelMismatchException;
import dev.sdcond.models.Towers;
import dev.sdcond.models.clip.ClipTextModel;
import dev.sdcond.models.clip.ClipVisionModel;
import dev.sdcond.models.config.CLIPTextConfig;
import dev.sdcond.models.config.CLIPVisionConfig;
import dev.sdcond.models.registry.DerivedConfigs;
import dev.sdcond.models.layout.DetectedTower;
import dev.sdcond.models.layout.KeyLayout;
import dev.sdcond.models.layout.LayoutDetector;
import dev.sdcond.models.layout.TowerKind;
import dev.sdcond.models.safetensors.TensorSource;
import dev.sdcond.models.weights.OpenClipSource;
import dev.sdcond.models.weights.ParameterSource;
import dev.sdcond.models.weights.PrefixedSource;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Any checkpoint that holds CLIP towers: a Hugging Face folder with {@code config.json}, an OpenCLIP file or folder
 * (with or without {@code open_clip_config.json}), or a single-file SD1.x / SD2.x / SDXL checkpoint. Towers are found
 * by their key names; configs come from the folder's config files or from the tensor shapes. Only the tensors of the
 * towers asked for are read (the UNet of a 7 GB file is never touched).
 */
public final class ClipCheckpoint implements AutoCloseable {
    private final Path path;
    private final TensorSource source;
    private final HfCheckpoint hf; // when the folder has a config.json
    private final DerivedConfigs.OpenClipConfig openClip;
    private final List<DetectedTower> towers;

    private ClipCheckpoint(Path path, TensorSource source, HfCheckpoint hf, DerivedConfigs.OpenClipConfig openClip) {
        this.path = path;
        this.source = source;
        this.hf = hf;
        this.openClip = openClip;
        this.towers = hf != null ? hf.towers() : LayoutDetector.towers(source);
    }

    /**
     * Opens a checkpoint file or folder (any layout).
     *
     * @param path a safetensors file, a sharded checkpoint's index or a folder
     * @return the checkpoint; close it to release the files
     * @throws InvalidInputException for a missing, unreadable or malformed checkpoint
     */
    public static ClipCheckpoint open(Path path) {
        if (Files.isDirectory(path) && Files.isRegularFile(path.resolve("config.json"))) {
            HfCheckpoint hf = HfCheckpoint.open(path);
            return new ClipCheckpoint(path, hf.weights(), hf, null);
        }
        Path ocConfig = Files.isDirectory(path) ? path.resolve("open_clip_config.json")
                : path.toAbsolutePath().resolveSibling("open_clip_config.json");
        DerivedConfigs.OpenClipConfig oc = Files.isRegularFile(ocConfig) ? DerivedConfigs.OpenClipConfig.read(ocConfig) : null;
        return new ClipCheckpoint(path, Checkpoints.open(path), null, oc);
    }

    /**
     * A checkpoint over an already opened source (without config files).
     *
     * @param path where it came from, for messages and configs
     * @param source its tensors
     * @return the checkpoint
     */
    public static ClipCheckpoint of(Path path, TensorSource source) {
        return new ClipCheckpoint(path, source, null, null);
    }

    /**
     * The file or folder opened.
     *
     * @return the path
     */
    public Path path() {
        return path;
    }

    /**
     * The tensors of the checkpoint.
     *
     * @return the source
     */
    public TensorSource source() {
        return source;
    }

    /**
     * The towers found: text towers first, narrowest first (CLIP-L before bigG, as the presets list them), then
     * vision towers.
     *
     * @return the CLIP towers found
     */
    public List<DetectedTower> towers() {
        return towers;
    }

    /**
     * The towers of one kind.
     *
     * @param kind text or vision
     * @return those towers, in file order
     */
    public List<DetectedTower> towers(TowerKind kind) {
        return towers.stream().filter(t -> t.kind() == kind).toList();
    }

    /**
     * Loads the {@code index}-th text tower with an explicit config (for sizes no family rule covers).
     *
     * @param index which text tower (SDXL: 0 CLIP-L, 1 bigG)
     * @param compute device, dtype, attention
     * @param config the config to load it with
     * @return the tower
     */
    public ClipTextModel loadText(int index, Compute compute, CLIPTextConfig config) {
        DetectedTower t = pick(TowerKind.TEXT, index, "a CLIP text encoder");
        return ClipTextModel.load(parameters(t), config, compute);
    }

    /**
     * Loads the vision tower with an explicit config.
     *
     * @param compute device, dtype, attention
     * @param config the config to load it with
     * @return the tower
     */
    public ClipVisionModel loadVision(Compute compute, CLIPVisionConfig config) {
        DetectedTower t = pick(TowerKind.VISION, 0, "a CLIP image encoder");
        return ClipVisionModel.load(parameters(t), config, compute);
    }

    /**
     * Loads the {@code index}-th text tower.
     *
     * @param index which text tower
     * @param compute device, dtype, attention
     * @return the tower
     */
    public ClipTextModel loadText(int index, Compute compute) {
        return loadText(index, compute, java.util.function.UnaryOperator.identity());
    }

    /**
     * Loads the {@code index}-th text tower from its parameters as {@code patch} changes them (e.g. with LoRAs merged
     * in: {@link dev.sdcond.models.lora.LoraSource}).
     *
     * @param index which text tower
     * @param compute device, dtype, attention
     * @param patch wraps the tower's parameters (e.g. LoRA deltas)
     * @return the tower
     */
    public ClipTextModel loadText(int index, Compute compute, java.util.function.UnaryOperator<ParameterSource> patch) {
        if (hf != null) {
            if (index != 0) {
                throw new ModelMismatchException(path + " holds one text tower");
            }
            return hf.loadText(compute, patch);
        }
        DetectedTower t = pick(TowerKind.TEXT, index, "a CLIP text encoder");
        CLIPTextConfig c = DerivedConfigs.text(t, openClip, path.toString());
        return ClipTextModel.load(patch.apply(parameters(t)), c, compute);
    }

    /**
     * Loads the vision tower.
     *
     * @param compute device, dtype, attention
     * @return the tower
     */
    public ClipVisionModel loadVision(Compute compute) {
        if (hf != null) {
            return hf.loadVision(compute);
        }
        DetectedTower t = pick(TowerKind.VISION, 0, "a CLIP image encoder");
        CLIPVisionConfig c = DerivedConfigs.vision(t, openClip, path.toString());
        return ClipVisionModel.load(parameters(t), c, compute);
    }

    /**
     * How many text towers there are.
     *
     * @return how many text towers the checkpoint holds
     */
    public int textTowers() {
        if (hf != null) {
            return hf.textConfig().isPresent() ? 1 : 0;
        }
        return towers(TowerKind.TEXT).size();
    }

    private ParameterSource parameters(DetectedTower t) {
        return switch (t.layout()) {
            case OPENCLIP -> new OpenClipSource(source, t.prefix());
            case HF -> new PrefixedSource(source, t.prefix());
            case HF_UNNESTED -> new PrefixedSource(source, t.prefix(), "text_model.");
        };
    }

    private DetectedTower pick(TowerKind kind, int index, String needed) {
        List<DetectedTower> found = towers(kind);
        if (index < found.size()) {
            return found.get(index);
        }
        List<String> other = LayoutDetector.otherParts(source);
        String what = found.isEmpty() && towers.isEmpty()
                ? (other.isEmpty() ? "no CLIP tower" : String.join(" and ", other))
                : towers.size() + " CLIP tower(s): "
                        + String.join(", ", towers.stream().map(x -> x.kind() + " at " + x.where()).toList());
        throw new ModelMismatchException(path + ": " + needed + " is needed, but this checkpoint holds " + what);
    }

    @Override
    public void close() {
        if (hf != null) {
            hf.close();
        } else {
            source.close();
        }
    }
}
