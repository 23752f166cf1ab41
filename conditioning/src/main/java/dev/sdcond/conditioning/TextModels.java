package dev.sdcond.conditioning;

import dev.sdcond.conditioning.tokenizer.ClipTokenizer;
import dev.sdcond.models.Compute;
import dev.sdcond.models.checkpoint.ClipCheckpoint;
import dev.sdcond.models.InvalidInputException;
import dev.sdcond.models.ModelMismatchException;
import dev.sdcond.models.clip.ClipTextModel;
import dev.sdcond.models.registry.ModelFolders;
import dev.sdcond.models.lora.LoraFile;
import dev.sdcond.models.lora.LoraSource;
import dev.sdcond.models.lora.LoraSpec;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Loads the text encoders of a preset from what users have:
 *
 * <ul>
 *   <li>{@code builtin:sd15-random}, {@code builtin:sd2-random}, {@code builtin:sdxl-random},
 *       {@code builtin:flux-random}, {@code builtin:sd3-random} (and the {@code -small-t5} variants): the real
 *       architectures with seeded random weights and the bundled tokenizer (a stand-in one for T5)</li>
 *   <li>a diffusers pipeline folder: {@code text_encoder/} (+ {@code text_encoder_2/} for SDXL and Flux,
 *       {@code text_encoder_3/} for SD3) and {@code tokenizer/}, {@code tokenizer_2/}, {@code tokenizer_3/}</li>
 *   <li>a T5 folder or file (ComfyUI's {@code t5xxl_*.safetensors}) beside the CLIP ones, with a tokenizer folder when
 *       the file has no {@code tokenizer.json} beside it; an SD3 single file with its CLIPs and T5 (see
 *       {@code T5Models})</li>
 *   <li>one Hugging Face text-model folder ({@code config.json} + safetensors) per encoder; the folder's own tokenizer
 *       when it has one, else the bundled CLIP vocabulary</li>
 *   <li>a single-file SD1.x / SD2.x / SDXL checkpoint (its text towers, SDXL's two in order), or an OpenCLIP file or
 *       folder</li>
 * </ul>
 */
public final class TextModels {
    private TextModels() {}

    /**
     * Loads a model with its preset inferred: two encoders are SDXL, one of OpenCLIP-H's width SD2.x, else SD1.x.
     *
     * @param specs one spec, or one per encoder (SDXL: CLIP-L then bigG)
     * @param compute device, dtype and attention kernel
     * @return the model; close it to free its weights
     */
    public static LoadedTextModel open(List<String> specs, Compute compute) {
        return open(specs, Optional.empty(), compute, List.of());
    }

    /**
     * Loads a model for a preset.
     *
     * @param specs one spec, or one per encoder of the preset (SDXL: CLIP-L then bigG)
     * @param preset the preset
     * @param compute device, dtype and attention kernel
     * @return the model; close it to free its weights
     */
    public static LoadedTextModel open(List<String> specs, Preset preset, Compute compute) {
        return open(specs, Optional.of(preset), compute, List.of());
    }

    /**
     * Loads a model for a preset, with LoRAs merged.
     *
     * @param specs one spec, or one per encoder of the preset (SDXL: CLIP-L then bigG)
     * @param preset the preset
     * @param compute device, dtype and attention kernel
     * @param loraSpecs the LoRAs
     * @return the model; close it to free its weights
     */
    public static LoadedTextModel open(List<String> specs, Preset preset, Compute compute, List<LoraSpec> loraSpecs) {
        return open(specs, Optional.of(preset), compute, loraSpecs);
    }

    /**
     * Loads a model with LoRAs merged into its text encoders (see {@link LoraSource}): SD1.x keys go to the one
     * encoder, SDXL's {@code lora_te1_} / {@code text_encoder.} to CLIP-L and {@code lora_te2_} /
     * {@code text_encoder_2.} to bigG. Modules that no encoder takes are listed in {@link LoadedTextModel#warnings}.
     *
     * @param specs one spec, or one per encoder of the preset (SDXL: CLIP-L then bigG)
     * @param preset the preset; empty to infer it (see {@link #open(List, Compute)})
     * @param compute device, dtype and attention kernel
     * @param loraSpecs the LoRAs
     * @return the model; close it to free its weights
     * @throws dev.sdcond.models.InvalidInputException for a missing or malformed model or LoRA (names the file)
     * @throws ModelMismatchException for a model that does not fit the preset
     */
    public static LoadedTextModel open(List<String> specs, Optional<Preset> preset, Compute compute,
            List<LoraSpec> loraSpecs) {
        return open(ModelSpec.parse(specs), preset, compute, loraSpecs);
    }

    /**
     * Loads what a parsed spec names, with LoRAs merged into its text encoders (see
     * {@link #open(List, Optional, Compute, List)}).
     *
     * @param spec the model
     * @param preset the preset; empty to infer it
     * @param compute device, dtype and kernels
     * @param loraSpecs the LoRAs
     * @return the model; close it to free its weights
     * @throws dev.sdcond.models.InvalidInputException for a missing or malformed model or LoRA (names the file)
     * @throws ModelMismatchException for a model that does not fit the preset
     */
    public static LoadedTextModel open(ModelSpec spec, Optional<Preset> preset, Compute compute,
            List<LoraSpec> loraSpecs) {
        List<AutoCloseable> resources = new ArrayList<>();
        try {
            List<LoraSource.Applied> loras = new ArrayList<>();
            for (LoraSpec l : loraSpecs) {
                LoraFile f = LoraFile.open(l.file());
                resources.add(f);
                loras.add(new LoraSource.Applied(f, l.strength()));
            }
            LoadedTextModel m = spec instanceof ModelSpec.BuiltinModel b
                    ? BuiltinTextModels.open(b.name(), preset, compute, resources, loras)
                    : parts((ModelSpec.Parts) spec, preset, compute, resources, loras);
            return withLoras(m, loras);
        } catch (RuntimeException e) {
            new LoadedTextModel(null, "", List.of(), Map.of(), List.of(), resources).close();
            throw e;
        }
    }

    /** The CLIP parts in order, then the T5 (after them: a bad CLIP fails before minutes of T5-XXL loading). */
    private static LoadedTextModel parts(ModelSpec.Parts spec, Optional<Preset> preset, Compute compute,
            List<AutoCloseable> resources, List<LoraSource.Applied> loras) {
        List<TextEncoder> encoders = new ArrayList<>();
        List<dev.sdcond.models.safetensors.TensorSource> files = new ArrayList<>();
        List<String> parts = new ArrayList<>();
        Optional<T5Encoder> t5 = Optional.empty();
        for (Path folder : spec.clip()) {
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
            if (t5.isEmpty() && spec.t5().isEmpty()) { // an SD3 single file: text_encoders.t5xxl.transformer.*
                t5 = T5Models.inCheckpoint(ckpt.source(), folder, spec.t5Tokenizer(), compute, resources);
                t5.ifPresent(e -> parts.add(folder + " [" + e.describe() + "]"));
            }
        }
        if (spec.t5().isPresent()) {
            t5 = Optional.of(T5Models.open(spec.t5().get(), spec.t5Tokenizer(), compute, resources, files));
            parts.add(spec.t5().get() + " (" + t5.get().describe() + ")");
        }
        if (spec.t5Tokenizer().isPresent() && t5.isEmpty()) {
            throw new InvalidInputException(spec.t5Tokenizer().get() + ": a tokenizer folder, given without a T5"
                    + " encoder");
        }
        Preset p = preset.isPresent() ? preset.get() : t5.isEmpty() ? infer(encoders)
                : encoders.size() == 2 ? Preset.SD3 : Preset.FLUX;
        return new LoadedTextModel(new TextConditioner(p, bind(p, encoders), p.takesT5()
                ? t5.map(e -> e.withLength(p.defaultT5Length())) : Optional.empty()), String.join(" + ", parts), files,
                Map.of(), List.of(), resources);
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

    /** A pipeline's tokenizer_N/ beside text_encoder_N/, else the folder's own, else the bundled vocabulary. */
    private static ClipTokenizer tokenizerFor(Path encoderFolder, int index) {
        Path sibling = ModelFolders.siblingTokenizer(encoderFolder, index);
        if (sibling != null && ClipTokenizer.folderHasTokenizer(sibling)) {
            return ClipTokenizer.fromFolder(sibling);
        }
        if (Files.isDirectory(encoderFolder) && ClipTokenizer.folderHasTokenizer(encoderFolder)) {
            return ClipTokenizer.fromFolder(encoderFolder);
        }
        return ClipTokenizer.bundled();
    }

    /** The first preset (SD1.x before Flux) with as many encoders whose families have these widths, else SD1.x. */
    private static Preset infer(List<TextEncoder> encoders) {
        for (Preset p : Preset.ALL) {
            if (p.encoders().size() == encoders.size() && java.util.stream.IntStream.range(0, encoders.size())
                    .allMatch(i -> p.encoders().get(i).family().width() == encoders.get(i).tower().width())) {
                return p;
            }
        }
        return encoders.size() == 2 ? Preset.SDXL : Preset.SD15;
    }

    static List<TextEncoder> bind(Preset p, List<TextEncoder> encoders) {
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
}
