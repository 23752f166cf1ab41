package dev.sdcond.conditioning;

import dev.sdcond.conditioning.tokenizer.ClipTokenizer;
import dev.sdcond.models.Compute;
import dev.sdcond.models.ClipCheckpoint;
import dev.sdcond.models.InvalidInputException;
import dev.sdcond.models.ModelMismatchException;
import dev.sdcond.models.clip.ClipTextModel;
import dev.sdcond.models.config.CLIPTextConfig;
import dev.sdcond.models.config.ClipFamilies;
import dev.sdcond.models.lora.LoraFile;
import dev.sdcond.models.lora.LoraSource;
import dev.sdcond.models.lora.LoraSpec;
import dev.sdcond.models.weights.RandomParameters;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Loads the text encoders of a preset from what users have:
 *
 * <ul>
 *   <li>{@code builtin:sd15-random}, {@code builtin:sd2-random}, {@code builtin:sdxl-random},
 *       {@code builtin:flux-random}: the real architectures with seeded random weights and the bundled tokenizer</li>
 *   <li>a diffusers pipeline folder: {@code text_encoder/} (+ {@code text_encoder_2/} for SDXL) and
 *       {@code tokenizer/}, {@code tokenizer_2/}</li>
 *   <li>one Hugging Face text-model folder ({@code config.json} + safetensors) per encoder; the folder's own tokenizer
 *       when it has one, else the bundled CLIP vocabulary</li>
 *   <li>a single-file SD1.x / SD2.x / SDXL checkpoint (its text towers, SDXL's two in order), or an OpenCLIP file or
 *       folder</li>
 * </ul>
 */
public final class TextModels {
    public static final String BUILTIN = "builtin:";
    /** The seed of the builtin random models. */
    public static final long SEED = 0;

    private TextModels() {}

    /**
     * Loads a model.
     *
     * @param specs one spec, or one per encoder of the preset (SDXL: CLIP-L then bigG)
     * @param preset the preset, or null to infer it (two encoders: SDXL; an OpenCLIP-H width: SD2.x; else SD1.x)
     */
    public static LoadedTextModel open(List<String> specs, Preset preset, Compute compute) {
        return open(specs, preset, compute, List.of());
    }

    /**
     * Loads a model with LoRAs merged into its text encoders (see {@link LoraSource}): SD1.x keys go to the one
     * encoder, SDXL's {@code lora_te1_} / {@code text_encoder.} to CLIP-L and {@code lora_te2_} /
     * {@code text_encoder_2.} to bigG. Modules that no encoder takes are listed in {@link LoadedTextModel#warnings}.
     */
    public static LoadedTextModel open(List<String> specs, Preset preset, Compute compute, List<LoraSpec> loraSpecs) {
        if (specs.isEmpty()) {
            throw new dev.sdcond.models.InvalidInputException("no model given");
        }
        List<AutoCloseable> resources = new ArrayList<>();
        try {
            List<LoraSource.Applied> loras = new ArrayList<>();
            for (LoraSpec l : loraSpecs) {
                LoraFile f = LoraFile.open(l.file());
                resources.add(f);
                loras.add(new LoraSource.Applied(f, l.strength()));
            }
            if (specs.size() == 1 && specs.get(0).startsWith(BUILTIN)) {
                return withLoras(builtin(specs.get(0), preset, compute, resources, loras), loras);
            }
            List<TextEncoder> encoders = new ArrayList<>();
            List<dev.sdcond.models.safetensors.TensorSource> files = new ArrayList<>();
            List<String> parts = new ArrayList<>();
            List<Path> folders = new ArrayList<>();
            if (specs.size() == 1 && isPipelineFolder(Path.of(specs.get(0)))) {
                Path root = Path.of(specs.get(0));
                folders.add(root.resolve("text_encoder"));
                if (Files.isDirectory(root.resolve("text_encoder_2"))) {
                    folders.add(root.resolve("text_encoder_2"));
                }
            } else {
                for (String s : specs) {
                    if (s.startsWith(BUILTIN)) {
                        throw new InvalidInputException("a builtin model cannot be combined with others: " + s);
                    }
                    folders.add(Path.of(s));
                }
            }
            for (Path folder : folders) {
                ClipCheckpoint ckpt = ClipCheckpoint.open(folder);
                resources.add(ckpt);
                int n = ckpt.textTowers();
                if (n == 0) {
                    ckpt.loadText(0, compute); // throws, saying what the checkpoint holds instead
                }
                for (int t = 0; t < n; t++) {
                    int encoder = encoders.size();
                    ClipTextModel tower = ckpt.loadText(t, compute, src -> LoraSource.patch(src, encoder, loras));
                    resources.add(tower);
                    ClipTokenizer tok = tokenizerFor(folder, encoders.size());
                    resources.add(tok);
                    encoders.add(new TextEncoder(tower, tok, 0, 0)); // pad and depth set below, once the preset is known
                    parts.add(folder + (n > 1 ? " [text tower " + t + "]" : "") + " (" + tower.numLayers()
                            + " layers, width " + tower.width() + ")");
                }
                files.add(ckpt.source());
            }
            Preset p = preset != null ? preset : infer(encoders);
            List<TextEncoder> bound = bind(p, encoders);
            return withLoras(new LoadedTextModel(new TextConditioner(p, bound), String.join(" + ", parts), files,
                    Map.of(), List.of(), resources), loras);
        } catch (RuntimeException e) {
            new LoadedTextModel(null, "", List.of(), Map.of(), List.of(), resources).close();
            throw e;
        }
    }

    /** Records the LoRAs in the metadata ({@code loras}: file, SHA-256, strength, modules merged) and the warnings. */
    private static LoadedTextModel withLoras(LoadedTextModel m, List<LoraSource.Applied> loras) {
        if (loras.isEmpty()) {
            return m;
        }
        List<String> warnings = new ArrayList<>(m.warnings());
        com.fasterxml.jackson.databind.node.ArrayNode list = new com.fasterxml.jackson.databind.ObjectMapper()
                .createArrayNode();
        for (LoraSource.Applied a : loras) {
            LoraFile f = a.file();
            list.addObject().put("file", f.file().toString()).put("sha256", f.sha256()).put("strength", a.strength())
                    .put("text_modules_merged", f.appliedCount()).put("unet_modules_ignored", f.unetModules());
            if (!f.unapplied().isEmpty()) {
                warnings.add(f.file() + ": " + f.unapplied().size() + " text-encoder module(s) match no weight of the"
                        + " loaded encoders and were not applied: " + String.join(", ", f.unapplied().subList(0,
                        Math.min(10, f.unapplied().size()))) + (f.unapplied().size() > 10 ? ", ..." : ""));
            }
            if (f.appliedCount() == 0) {
                warnings.add(f.file() + ": no module applies to these text encoders");
            }
        }
        Map<String, String> metadata = new LinkedHashMap<>(m.metadata());
        metadata.put("loras", list.toString());
        return new LoadedTextModel(m.conditioner(), m.description(), m.weights(), metadata, warnings, m.resources());
    }

    private static boolean isPipelineFolder(Path p) {
        return Files.isDirectory(p.resolve("text_encoder"));
    }

    /** A pipeline's tokenizer_N/ beside text_encoder_N/, else the folder's own, else the bundled vocabulary. */
    private static ClipTokenizer tokenizerFor(Path encoderFolder, int index) {
        Path parent = encoderFolder.toAbsolutePath().getParent();
        Path sibling = parent == null ? null : parent.resolve(index == 0 ? "tokenizer" : "tokenizer_" + (index + 1));
        String name = encoderFolder.getFileName() == null ? "" : encoderFolder.getFileName().toString();
        if (sibling != null && name.startsWith("text_encoder") && Files.isDirectory(sibling)
                && ClipTokenizer.folderHasTokenizer(sibling)) {
            return ClipTokenizer.fromFolder(sibling);
        }
        if (Files.isDirectory(encoderFolder) && ClipTokenizer.folderHasTokenizer(encoderFolder)) {
            return ClipTokenizer.fromFolder(encoderFolder);
        }
        return ClipTokenizer.bundled();
    }

    private static Preset infer(List<TextEncoder> encoders) {
        if (encoders.size() == 2) {
            return Preset.SDXL;
        }
        return encoders.get(0).tower().width() == 1024 ? Preset.SD2 : Preset.SD15;
    }

    private static List<TextEncoder> bind(Preset p, List<TextEncoder> encoders) {
        if (encoders.size() != p.encoders().size()) {
            throw new ModelMismatchException("preset " + p + " needs " + p.encoders().size() + " text encoder(s) ("
                    + p.encoders().stream().map(Preset.EncoderSlot::role).toList() + "), " + encoders.size()
                    + " given (SDXL: a diffusers pipeline folder, or two model folders: CLIP-L, then bigG)");
        }
        List<TextEncoder> out = new ArrayList<>();
        for (int i = 0; i < encoders.size(); i++) {
            TextEncoder e = encoders.get(i);
            out.add(TextEncoder.of(e.tower(), e.tokenizer(), p.encoders().get(i).padId()));
        }
        return out;
    }

    /** The builtin random models' names. */
    public static final List<String> BUILTINS = List.of("sd15-random", "sd2-random", "sdxl-random", "flux-random");

    private static LoadedTextModel builtin(String spec, Preset preset, Compute compute, List<AutoCloseable> resources,
            List<LoraSource.Applied> loras) {
        String name = spec.substring(BUILTIN.length());
        Preset p;
        List<CLIPTextConfig> configs;
        switch (name) {
            case "sd15-random" -> { p = Preset.SD15; configs = List.of(ClipFamilies.CLIP_L_TEXT); }
            case "sd2-random" -> { p = Preset.SD2; configs = List.of(ClipFamilies.OPENCLIP_H_TEXT); }
            case "sdxl-random" -> {
                p = Preset.SDXL;
                configs = List.of(ClipFamilies.CLIP_L_TEXT, ClipFamilies.OPENCLIP_BIGG_TEXT);
            }
            case "flux-random" -> { p = Preset.FLUX; configs = List.of(ClipFamilies.CLIP_L_TEXT); }
            default -> throw new InvalidInputException("unknown builtin model '" + spec + "' (text: "
                    + String.join(", ", BUILTINS.stream().map(b -> BUILTIN + b).toList()) + ")");
        }
        Preset use = preset != null ? preset : p;
        ClipTokenizer tok = ClipTokenizer.bundled();
        resources.add(tok);
        List<TextEncoder> encoders = new ArrayList<>();
        for (int i = 0; i < configs.size(); i++) {
            CLIPTextConfig c = configs.get(i);
            Map<String, long[]> optional = new LinkedHashMap<>();
            optional.put("text_projection.weight", new long[] {c.projectionDim(), c.hiddenSize()});
            ClipTextModel tower = ClipTextModel.load(LoraSource.patch(new RandomParameters(SEED + i, optional), i, loras),
                    c, compute);
            resources.add(tower);
            encoders.add(new TextEncoder(tower, tok, 0, 0));
        }
        return new LoadedTextModel(new TextConditioner(use, bind(use, encoders)),
                spec + " (random weights, seed " + SEED + ")", List.of(), Map.of("random_weights", "true"), List.of(),
                resources);
    }
}
