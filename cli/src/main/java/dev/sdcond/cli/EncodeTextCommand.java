package dev.sdcond.cli;

import ai.djl.ndarray.NDManager;
import dev.sdcond.cli.PromptsFile.Item;
import dev.sdcond.conditioning.EncodeOptions;
import dev.sdcond.conditioning.LayerSelection;
import dev.sdcond.conditioning.embeddings.EmbeddingStore;
import dev.sdcond.conditioning.LoadedTextModel;
import dev.sdcond.conditioning.Preset;
import dev.sdcond.conditioning.TextConditioner;
import dev.sdcond.conditioning.TextConditioning;
import dev.sdcond.conditioning.TextModels;
import dev.sdcond.conditioning.prompt.ParsedPrompt;
import dev.sdcond.conditioning.prompt.PromptStyle;
import dev.sdcond.conditioning.prompt.PromptTokenizer;
import dev.sdcond.models.InvalidInputException;
import dev.sdcond.models.Towers;
import dev.sdcond.models.lora.LoraSpec;
import dev.sdcond.models.safetensors.SafetensorsWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
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
            "  sdcond encode-text --model ./sdxl --lora ./loras/style.safetensors:0.6 --prompt \"...\" -o out.safetensors",
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

    @Option(names = "--preset", converter = Converters.PresetConverter.class,
            description = "sd15, sd2, sdxl or flux (default: inferred from the model)")
    Preset preset;

    @Option(names = "--layer", description = "hidden_states index, negative from the end (-1 last, -2 penultimate)")
    Integer layer;

    @Option(names = "--final-norm", arity = "1", description = "apply final_layer_norm to the selected layer: true|false")
    Boolean finalNorm;

    @Option(names = "--clip-skip", description = "clip skip, in the convention of --clip-skip-style")
    Integer clipSkip;

    /** Whose clip-skip numbering --clip-skip uses. */
    enum ClipSkipStyle { A1111, DIFFUSERS, COMFY }

    @Option(names = "--clip-skip-style", defaultValue = "a1111",
            description = "a1111 (1 = last layer), diffusers (0 = default), comfy (-1 = last layer) (default: a1111)")
    ClipSkipStyle clipSkipStyle;

    @Option(names = "--style", defaultValue = "a1111", converter = Converters.StyleConverter.class,
            description = "prompt syntax, chunking and weighting: a1111, comfy or plain (default: a1111)")
    PromptStyle style;

    @Option(names = "--strict-syntax", description = "unclosed brackets and stray closers are errors")
    boolean strict;

    @Option(names = "--max-chunks", defaultValue = "0", converter = Converters.NonNegative.class,
            description = "at most this many 75-token chunks per prompt; more is cut with a warning (0 = no limit)")
    int maxChunks;

    @Option(names = "--truncate", description = "classic 77-token truncation (= --max-chunks 1)")
    boolean truncate;

    @Option(names = "--zero-empty-negative", arity = "1",
            description = "all-zero negative for an empty negative prompt: true|false (default: the preset's; sdxl: true)")
    Boolean zeroEmptyNegative;

    @Option(names = "--lora", paramLabel = "FILE[:STRENGTH]", converter = Converters.LoraConverter.class,
            description = "merge a LoRA's text-encoder weights (kohya or diffusers/PEFT keys) at this strength"
                    + " (default 1.0); repeat to add several")
    List<LoraSpec> loras = new ArrayList<>();

    @Option(names = "--lora-dir", paramLabel = "DIR",
            description = "with --style a1111: where <lora:NAME:W> tags in a prompt find NAME.safetensors (searched"
                    + " recursively; repeatable)")
    List<Path> loraDirs = new ArrayList<>();

    @Option(names = "--embeddings", paramLabel = "DIR",
            description = "textual-inversion embeddings (safetensors; searched recursively; repeatable): A1111 uses"
                    + " one where its file name appears in the prompt, ComfyUI where the prompt says embedding:NAME")
    List<Path> embeddingDirs = new ArrayList<>();

    @Option(names = "--names", defaultValue = "sdcond",
            description = "tensor names: sdcond (hidden_states, pooled, negative_*) or diffusers (prompt_embeds,"
                    + " pooled_prompt_embeds, negative_prompt_embeds, negative_pooled_prompt_embeds) (default: sdcond)")
    Outputs.Names names;

    @Option(names = "--timings", description = "print where the time went: start, load, hash, tokenize, forward, write")
    boolean timings;

    private Timings time;

    @Option(names = "--output-dir", description = "with --prompts: one output per line in this folder")
    Path outputDir;

    @Mixin
    ComputeOptions computeOptions;

    @Mixin
    OutputOptions out;

    @Override
    public Integer call() {
        time = new Timings(timings);
        try {
            return run();
        } finally {
            time.print(spec.commandLine().getErr());
        }
    }

    private Integer run() {
        // everything the user gave is checked before the model is loaded
        boolean perItem = outputDir != null;
        if (perItem && input.prompts == null) {
            throw new InvalidInputException("--output-dir goes with --prompts; use -o/--output for one prompt");
        }
        if (negative != null && input.prompts != null) {
            throw new InvalidInputException("--negative goes with --prompt; put \"negative\" in the --prompts file");
        }
        if (clipSkip != null && layer != null) {
            throw new InvalidInputException("give --layer or --clip-skip, not both");
        }
        if (clipSkip != null) {
            layerSelection(Preset.SD15); // the numbering's range, before any work
        }
        List<Item> items = items();
        for (Item it : items) { // every prompt's syntax too: a bad one fails before any output is written
            PromptTokenizer.parse(style, strict, PromptsFile.encoded(style, it.prompt()));
            if (it.negative() != null) {
                PromptTokenizer.parse(style, strict, it.negative());
            }
        }
        Path single = perItem ? null : out.single(outputDir);
        List<Path> targets = !perItem ? null : out.perItem(outputDir, java.util.stream.IntStream.range(0, items.size())
                .mapToObj(i -> Map.entry(itemName(items.get(i), i), input.prompts + " line " + items.get(i).line()))
                .toList());
        List<List<LoraSpec>> sets = PromptsFile.loraSets(items, perItem, style, loras, loraDirs);
        EncodeOptions base = EncodeOptions.DEFAULT.withStyle(style).withStrictSyntax(strict)
                .withMaxChunks(truncate ? 1 : maxChunks).withZeroEmptyNegative(zeroEmptyNegative)
                .withEmbeddings(style == PromptStyle.PLAIN ? EmbeddingStore.NONE : EmbeddingStore.of(embeddingDirs));
        Progress progress = perItem ? new Progress(spec.commandLine().getErr(), items.size()) : null;
        for (List<LoraSpec> set : new java.util.LinkedHashSet<>(sets)) { // one model per set of LoRAs
            try (LoadedTextModel model = time.time("load", () -> TextModels.open(models, preset,
                    computeOptions.compute(spec.commandLine().getErr()), set));
                    NDManager manager = NDManager.newBaseManager(Towers.ENGINE)) {
                model.warnings().forEach(w -> spec.commandLine().getErr().println("warning: " + w));
                EncodeOptions options = base.withLayer(layerSelection(model.conditioner().preset()));
                String sha = time.time("hash", () -> out.weightsSha256(model::weightsSha256));
                if (!perItem) {
                    SafetensorsWriter w = encodeAndWrite(model, sha, options, manager, items, single);
                    spec.commandLine().getErr().println("wrote " + single + " " + w.names());
                    return ExitCodes.OK;
                }
                for (int i = 0; i < items.size(); i++) {
                    if (sets.get(i).equals(set)) {
                        try (NDManager one = manager.newSubManager()) {
                            encodeAndWrite(model, sha, options, one, List.of(items.get(i)), targets.get(i));
                        }
                        progress.step();
                    }
                }
            }
        }
        progress.finish("prompts");
        return ExitCodes.OK;
    }

    /** An item's output name: its "name", else its number among the prompts (000001, ...). */
    private static String itemName(Item it, int index) {
        return it.name() != null ? it.name() : String.format("%06d", index + 1);
    }

    /** Encodes the items as one batch and writes one output file (or npy folder) holding it. */
    private SafetensorsWriter encodeAndWrite(LoadedTextModel model, String sha, EncodeOptions options,
            NDManager manager, List<Item> batch, Path target) {
        TextConditioner cond = model.conditioner();
        List<String> prompts = batch.stream().map(i -> PromptsFile.encoded(style, i.prompt())).toList();
        boolean anyNeg = batch.stream().anyMatch(i -> i.negative() != null);
        List<String> negs = anyNeg ? batch.stream().map(Item::negative).toList() : null;
        if (timings) { // the prompts' tokenization on its own (encode repeats it; its time is moved out of forward)
            long t0 = System.nanoTime();
            prompts.forEach(p -> cond.promptTokenizer(options).tokenize(p));
            batch.stream().map(Item::negative).filter(java.util.Objects::nonNull)
                    .forEach(p -> cond.promptTokenizer(options).tokenize(p));
            time.add("tokenize", System.nanoTime() - t0);
            time.add("forward", -(System.nanoTime() - t0));
        }
        TextConditioner.Result r = time.time("forward", () -> cond.encode(manager, prompts, negs, options));
        report(batch, r);
        return time.time("write", () -> {
            SafetensorsWriter w = writer(model, sha, cond, options, batch);
            Outputs.add(w, "", r.positive(), names);
            if (r.negative() != null) {
                Outputs.add(w, "negative_", r.negative(), names);
            }
            out.write(w, target);
            return w;
        });
    }

    private LayerSelection layerSelection(Preset p) {
        boolean defaultNorm = p.encoders().get(0).layer().finalNorm();
        if (clipSkip != null) {
            LayerSelection l;
            try {
                l = switch (clipSkipStyle) {
                    case A1111 -> LayerSelection.a1111ClipSkip(clipSkip);
                    case DIFFUSERS -> LayerSelection.diffusersClipSkip(clipSkip, p.isSdxl());
                    case COMFY -> LayerSelection.comfySetLastLayer(clipSkip, defaultNorm);
                };
            } catch (InvalidInputException e) {
                throw new InvalidInputException("--clip-skip " + clipSkip + " (--clip-skip-style "
                        + clipSkipStyle.name().toLowerCase(java.util.Locale.ROOT) + "): " + e.getMessage(), e);
            }
            return finalNorm == null ? l : new LayerSelection(l.index(), finalNorm);
        }
        if (layer != null || finalNorm != null) {
            int idx = layer != null ? layer : p.encoders().get(0).layer().index();
            return new LayerSelection(idx, finalNorm != null ? finalNorm : defaultNorm);
        }
        return null;
    }

    private List<Item> items() {
        if (input.prompt != null) {
            return List.of(new Item(input.prompt, negative, null, 0));
        }
        return PromptsFile.read(input.prompts);
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
            List<Item> batch) {
        Item item = batch.size() == 1 ? batch.get(0) : null;
        SafetensorsWriter w = new SafetensorsWriter();
        w.metadata("sdcond.version", Provenance.VERSION);
        w.metadata("model", model.description());
        OutputOptions.recordWeights(w, sha, model.tensorsRead());
        w.metadata("preset", cond.preset().name());
        LayerSelection l = options.layer();
        List<String> layers = new ArrayList<>();
        for (int e = 0; e < cond.preset().encoders().size(); e++) {
            LayerSelection s = l != null ? l : cond.preset().encoders().get(e).layer();
            layers.add(cond.preset().encoders().get(e).role() + ": layer " + s.index() + ", final_norm " + s.finalNorm());
        }
        w.metadata("layer", String.join("; ", layers));
        w.metadata("final_norm", String.valueOf(l != null ? l.finalNorm() : cond.preset().encoders().get(0).layer().finalNorm()));
        w.metadata("dtype", computeOptions.dtype.toString());
        w.metadata("device", computeOptions.device);
        w.metadata("prompt_style", options.style().name().toLowerCase(java.util.Locale.ROOT));
        w.metadata("max_chunks", String.valueOf(options.maxChunks()));
        if (item != null) {
            w.metadata("prompt", item.prompt());
            if (item.negative() != null) {
                w.metadata("negative_prompt", item.negative());
            }
        } else {
            w.metadata("prompts", Outputs.jsonArray(batch.stream().map(Item::prompt).toList()));
            if (batch.stream().anyMatch(i -> i.negative() != null)) {
                w.metadata("negative_prompts", Outputs.jsonArray(batch.stream().map(Item::negative).toList()));
            }
        }
        model.metadata().forEach(w::metadata);
        String used = Outputs.usedEmbeddings(cond, options, batch.stream().flatMap(i -> java.util.stream.Stream.of(
                PromptsFile.encoded(style, i.prompt()), i.negative())).toList());
        if (used != null) {
            w.metadata("embeddings", used);
        }
        return w;
    }

}
