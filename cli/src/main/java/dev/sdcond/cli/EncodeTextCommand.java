package dev.sdcond.cli;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sdcond.conditioning.EncodeOptions;
import dev.sdcond.conditioning.LayerSelection;
import dev.sdcond.conditioning.LoadedTextModel;
import dev.sdcond.conditioning.Preset;
import dev.sdcond.conditioning.TextConditioner;
import dev.sdcond.conditioning.TextConditioning;
import dev.sdcond.conditioning.TextModels;
import dev.sdcond.conditioning.prompt.ParsedPrompt;
import dev.sdcond.conditioning.prompt.PromptStyle;
import dev.sdcond.models.InvalidInputException;
import dev.sdcond.models.Towers;
import dev.sdcond.models.safetensors.SafetensorsWriter;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(name = "encode-text", mixinStandardHelpOptions = true,
        description = "Encode prompts into the conditioning tensors of a Stable Diffusion family.",
        footer = {"", "Examples:",
            "  sdcond encode-text --model builtin:sd15-random --prompt \"a photo of a cat\" -o cat.safetensors",
            "  sdcond encode-text --model ./stable-diffusion-xl-base-1.0 --prompt \"a (red:1.2) fox\""
                + " --negative \"blurry\" -o fox.safetensors",
            "  sdcond encode-text --model ./sd15 --prompt \"...\" --clip-skip 2 --clip-skip-style a1111 -o out.safetensors",
            "  sdcond encode-text --model ./sd15 --prompts prompts.jsonl --output-dir out/",
            "", "Output keys: hidden_states [B,77*k,D], pooled [B,P] (sdxl, flux), input_ids [B,77*k],",
            "attention_mask [B,77*k], and negative_* for --negative."})
final class EncodeTextCommand implements Callable<Integer> {
    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Option(names = {"-m", "--model"}, required = true,
            description = "a diffusers pipeline folder, a text-encoder folder (repeat for SDXL: CLIP-L, then bigG),"
                    + " or builtin:sd15-random|sd2-random|sdxl-random|flux-random")
    List<String> models;

    @ArgGroup(exclusive = true, multiplicity = "1")
    Input input;

    static final class Input {
        @Option(names = {"-p", "--prompt"}, description = "the prompt") String prompt;
        @Option(names = "--prompts", description = "a JSON Lines file: {\"prompt\": ..., \"negative\": ..., \"name\": ...}"
                + " per line") Path prompts;
    }

    @Option(names = {"-n", "--negative"}, description = "the negative prompt (with --prompt)")
    String negative;

    @Option(names = "--preset", description = "sd15, sd2, sdxl or flux (default: inferred from the model)")
    String preset;

    @Option(names = "--layer", description = "hidden_states index, negative from the end (-1 last, -2 penultimate)")
    Integer layer;

    @Option(names = "--final-norm", arity = "1", description = "apply final_layer_norm to the selected layer: true|false")
    Boolean finalNorm;

    @Option(names = "--clip-skip", description = "clip skip, in the convention of --clip-skip-style")
    Integer clipSkip;

    @Option(names = "--clip-skip-style", defaultValue = "a1111",
            description = "a1111 (1 = last layer), diffusers (0 = default), comfy (-1 = last layer) (default: ${DEFAULT-VALUE})")
    String clipSkipStyle;

    @Option(names = "--style", defaultValue = "a1111",
            description = "prompt syntax, chunking and weighting: a1111, comfy or plain (default: ${DEFAULT-VALUE})")
    String style;

    @Option(names = "--strict-syntax", description = "unclosed brackets and stray closers are errors")
    boolean strict;

    @Option(names = "--max-chunks", defaultValue = "0",
            description = "at most this many 75-token chunks per prompt; more is cut with a warning (0 = no limit)")
    int maxChunks;

    @Option(names = "--truncate", description = "classic 77-token truncation (= --max-chunks 1)")
    boolean truncate;

    @Option(names = "--zero-empty-negative", arity = "1",
            description = "all-zero negative for an empty negative prompt: true|false (default: the preset's; sdxl: true)")
    Boolean zeroEmptyNegative;

    @Option(names = "--output-dir", description = "with --prompts: one output per line in this folder")
    Path outputDir;

    @Mixin
    ComputeOptions computeOptions;

    @Mixin
    OutputOptions out;

    /** One line of a --prompts file. */
    record Item(String prompt, String negative, String name) {}

    @Override
    public Integer call() throws Exception {
        List<Item> items = items();
        boolean perItem = outputDir != null;
        if (!perItem && out.output == null) {
            throw new IllegalArgumentException("--output is required (or --output-dir with --prompts)");
        }
        if (perItem && input.prompts == null) {
            throw new IllegalArgumentException("--output-dir goes with --prompts; use --output for one prompt");
        }
        out.checkWritable(out.output);
        Preset p = preset == null ? null : Preset.parse(preset);
        EncodeOptions options = EncodeOptions.DEFAULT.withStyle(PromptStyle.parse(style)).withStrictSyntax(strict)
                .withMaxChunks(truncate ? 1 : maxChunks).withZeroEmptyNegative(zeroEmptyNegative);
        try (LoadedTextModel model = TextModels.open(models, p, computeOptions.compute());
                NDManager manager = NDManager.newBaseManager(Towers.ENGINE)) {
            TextConditioner cond = model.conditioner();
            options = options.withLayer(layerSelection(cond.preset()));
            String sha = out.weightsSha256(model.weightFiles());
            if (!perItem) {
                SafetensorsWriter w = encodeAndWrite(model, sha, options, manager, items, out.output);
                spec.commandLine().getErr().println("wrote " + out.output + " " + w.names());
                return ExitCodes.OK;
            }
            Files.createDirectories(outputDir);
            Progress progress = new Progress(spec.commandLine().getErr(), items.size());
            for (int i = 0; i < items.size(); i++) {
                Item it = items.get(i);
                Path target = outputDir.resolve((it.name() != null ? it.name() : String.format("%06d", i + 1))
                        + (out.npy() ? "" : ".safetensors"));
                out.checkWritable(target);
                try (NDManager one = manager.newSubManager()) {
                    encodeAndWrite(model, sha, options, one, List.of(it), target);
                }
                progress.step();
            }
            progress.finish("prompts");
            return ExitCodes.OK;
        }
    }

    /** Encodes the items as one batch and writes one output file (or npy folder) holding it. */
    private SafetensorsWriter encodeAndWrite(LoadedTextModel model, String sha, EncodeOptions options,
            NDManager manager, List<Item> batch, Path target) throws IOException {
        TextConditioner cond = model.conditioner();
        List<String> prompts = batch.stream().map(Item::prompt).toList();
        boolean anyNeg = batch.stream().anyMatch(i -> i.negative() != null);
        List<String> negs = anyNeg ? batch.stream().map(Item::negative).toList() : null;
        TextConditioner.Result r = cond.encode(manager, prompts, negs, options);
        report(batch, r);
        SafetensorsWriter w = writer(model, sha, cond, options, batch.size() == 1 ? batch.get(0) : null);
        add(w, "", r.positive());
        if (r.negative() != null) {
            add(w, "negative_", r.negative());
        }
        out.write(w, target);
        return w;
    }

    private LayerSelection layerSelection(Preset p) {
        if (clipSkip != null && layer != null) {
            throw new IllegalArgumentException("give --layer or --clip-skip, not both");
        }
        boolean defaultNorm = p.encoders().get(0).layer().finalNorm();
        if (clipSkip != null) {
            LayerSelection l = switch (clipSkipStyle.toLowerCase(java.util.Locale.ROOT)) {
                case "a1111" -> LayerSelection.a1111ClipSkip(clipSkip);
                case "diffusers" -> LayerSelection.diffusersClipSkip(clipSkip, p.isSdxl());
                case "comfy", "comfyui" -> LayerSelection.comfySetLastLayer(clipSkip, defaultNorm);
                default -> throw new IllegalArgumentException("unknown --clip-skip-style '" + clipSkipStyle
                        + "' (a1111, diffusers, comfy)");
            };
            return finalNorm == null ? l : new LayerSelection(l.index(), finalNorm);
        }
        if (layer != null || finalNorm != null) {
            int idx = layer != null ? layer : p.encoders().get(0).layer().index();
            return new LayerSelection(idx, finalNorm != null ? finalNorm : defaultNorm);
        }
        return null;
    }

    private List<Item> items() throws IOException {
        if (input.prompt != null) {
            return List.of(new Item(input.prompt, negative, null));
        }
        if (negative != null) {
            throw new IllegalArgumentException("--negative goes with --prompt; put \"negative\" in the --prompts file");
        }
        List<Item> items = new ArrayList<>();
        ObjectMapper json = new ObjectMapper();
        List<String> lines = Files.readAllLines(input.prompts);
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i).strip();
            if (line.isEmpty()) {
                continue;
            }
            JsonNode n;
            try {
                n = json.readTree(line);
            } catch (IOException e) {
                throw new InvalidInputException(input.prompts + ": line " + (i + 1) + " is not JSON");
            }
            if (n == null || !n.isObject() || !n.path("prompt").isTextual()) {
                throw new InvalidInputException(input.prompts + ": line " + (i + 1)
                        + " needs a \"prompt\" string, e.g. {\"prompt\": \"a cat\", \"negative\": \"blurry\"}");
            }
            String name = n.hasNonNull("name") ? n.get("name").asText() : null;
            if (name != null && !name.matches("[A-Za-z0-9._-]+")) {
                throw new InvalidInputException(input.prompts + ": line " + (i + 1) + ": name '" + name
                        + "' must be letters, digits, '.', '_' or '-'");
            }
            items.add(new Item(n.get("prompt").asText(), n.hasNonNull("negative") ? n.get("negative").asText() : null,
                    name));
        }
        if (items.isEmpty()) {
            throw new InvalidInputException(input.prompts + ": no prompts");
        }
        return items;
    }

    private void report(List<Item> items, TextConditioner.Result r) {
        for (int i = 0; i < items.size(); i++) {
            warn(items.get(i).prompt(), r.positive(), i);
            if (r.negative() != null && items.get(i).negative() != null) {
                warn(items.get(i).negative(), r.negative(), i);
            }
        }
    }

    private void warn(String prompt, TextConditioning c, int i) {
        var err = spec.commandLine().getErr();
        for (ParsedPrompt.Warning w : c.warnings().get(i)) {
            err.println("warning: prompt \"" + abbreviate(prompt) + "\": " + w);
        }
        if (c.droppedTokens()[i] > 0) {
            err.println("warning: prompt \"" + abbreviate(prompt) + "\": " + c.droppedTokens()[i]
                    + " tokens past the chunk limit were dropped");
        }
    }

    private static String abbreviate(String s) {
        return s.length() <= 40 ? s : s.substring(0, 37) + "...";
    }

    private SafetensorsWriter writer(LoadedTextModel model, String sha, TextConditioner cond, EncodeOptions options,
            Item item) {
        SafetensorsWriter w = new SafetensorsWriter();
        w.metadata("sdcond.version", Provenance.VERSION);
        w.metadata("model", model.description());
        w.metadata("model_sha256", sha);
        w.metadata("preset", cond.preset().name());
        LayerSelection l = options.layer();
        List<String> layers = new ArrayList<>();
        for (int e = 0; e < cond.preset().encoders().size(); e++) {
            LayerSelection s = l != null ? l : cond.preset().encoders().get(e).layer();
            layers.add(cond.preset().encoders().get(e).role() + ": layer " + s.index() + ", final_norm " + s.finalNorm());
        }
        w.metadata("layer", String.join("; ", layers));
        w.metadata("final_norm", String.valueOf(l != null ? l.finalNorm() : cond.preset().encoders().get(0).layer().finalNorm()));
        w.metadata("dtype", computeOptions.dtype);
        w.metadata("device", computeOptions.device);
        w.metadata("prompt_style", options.style().name().toLowerCase(java.util.Locale.ROOT));
        w.metadata("max_chunks", String.valueOf(options.maxChunks()));
        if (item != null) {
            w.metadata("prompt", item.prompt());
            if (item.negative() != null) {
                w.metadata("negative_prompt", item.negative());
            }
        }
        model.metadata().forEach(w::metadata);
        return w;
    }

    private static void add(SafetensorsWriter w, String prefix, TextConditioning c) {
        if (c.hiddenStates() != null) {
            w.add(prefix + "hidden_states", c.hiddenStates());
        }
        if (c.pooled() != null) {
            w.add(prefix + "pooled", c.pooled());
        }
        w.addLongs(prefix + "input_ids", new long[] {c.inputIds().length, c.inputIds()[0].length}, flat(c.inputIds()));
        w.addLongs(prefix + "attention_mask", new long[] {c.attentionMask().length, c.attentionMask()[0].length},
                flat(c.attentionMask()));
        checkFinite(prefix + "hidden_states", c.hiddenStates());
        checkFinite(prefix + "pooled", c.pooled());
    }

    static void checkFinite(String key, NDArray a) {
        if (a != null && !a.isInfinite().logicalOr(a.isNaN()).none().getBoolean()) {
            throw new dev.sdcond.models.NumericalException(key + " contains NaN or Inf (numerical overflow? try --dtype float32)");
        }
    }

    private static long[] flat(long[][] a) {
        long[] out = new long[a.length * a[0].length];
        for (int i = 0; i < a.length; i++) {
            System.arraycopy(a[i], 0, out, i * a[0].length, a[0].length);
        }
        return out;
    }
}
