package dev.sdcond.cli;

import ai.djl.ndarray.NDManager;
import dev.sdcond.cli.PromptsFile.Item;
import dev.sdcond.conditioning.EncodeOptions;
import dev.sdcond.conditioning.LoadedTextModel;
import dev.sdcond.conditioning.PreparedPrompt;
import dev.sdcond.conditioning.TextConditioner;
import dev.sdcond.conditioning.TextOutputs;
import dev.sdcond.conditioning.TextRequest;
import dev.sdcond.models.Compute;
import dev.sdcond.models.InvalidInputException;
import dev.sdcond.models.Towers;
import dev.sdcond.models.lora.LoraSpec;
import dev.sdcond.models.safetensors.SafetensorsWriter;
import java.nio.file.Path;
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
                    + " or builtin:sd15-random|sd2-random|sdxl-random|flux-random|sd3-random (and flux-random-small-t5,"
                    + " sd3-random-small-t5)")
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

    @Mixin
    TextOptions text;

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
        TextRequest request = text.request(models, computeOptions.kernels);
        List<Item> items = input.prompt != null ? List.of(new Item(input.prompt, negative, null, 0))
                : PromptsFile.read(input.prompts);
        List<PreparedPrompt> prepared = PromptsFile.prepare(request, items); // a bad prompt fails before any output
        List<Path> read = new java.util.ArrayList<>();
        read.add(input.prompts);
        prepared.forEach(p -> p.loras().forEach(l -> read.add(l.file())));
        read.addAll(request.loraDirs());
        read.addAll(request.embeddingDirs());
        out.reads(OutputOptions.inputs(models, read));
        Path single = perItem ? null : out.single(outputDir);
        List<Path> targets = !perItem ? null : out.perItem(outputDir, java.util.stream.IntStream.range(0, items.size())
                .mapToObj(i -> Map.entry(PromptsFile.outputName(items.get(i), i), input.prompts + " line " + items.get(i).line()))
                .toList());
        // as in A1111, one output holding a batch takes the first prompt's LoRA tags for all of them
        List<List<LoraSpec>> sets = prepared.stream().map(p -> perItem ? p.loras() : prepared.get(0).loras()).toList();
        Compute compute = computeOptions.compute(spec.commandLine().getErr());
        Progress progress = perItem ? new Progress(spec.commandLine().getErr(), items.size()) : null;
        for (List<LoraSpec> set : new java.util.LinkedHashSet<>(sets)) { // one model per set of LoRAs
            try (LoadedTextModel model = time.time("load", () -> request.open(compute.device(), set));
                    NDManager manager = NDManager.newBaseManager(Towers.ENGINE)) {
                model.warnings().forEach(w -> spec.commandLine().getErr().println("warning: " + w));
                EncodeOptions options = request.encodeOptions(model.conditioner().preset());
                TextOutputs.Settings settings = new TextOutputs.Settings(compute, options, request.names(),
                        time.time("hash", () -> out.weightsSha256(model::weightsSha256)));
                if (!perItem) {
                    SafetensorsWriter w = encodeAndWrite(model, settings, manager, items, prepared, single);
                    spec.commandLine().getErr().println("wrote " + single + " " + w.names());
                    return ExitCodes.OK;
                }
                for (int i = 0; i < items.size(); i++) {
                    if (sets.get(i).equals(set)) {
                        try (NDManager one = manager.newSubManager()) {
                            encodeAndWrite(model, settings, one, List.of(items.get(i)), List.of(prepared.get(i)),
                                    targets.get(i));
                        }
                        progress.step();
                    }
                }
            }
        }
        progress.finish("prompts");
        return ExitCodes.OK;
    }

    /** Encodes the items as one batch and writes one output file (or npy folder) holding it. */
    private SafetensorsWriter encodeAndWrite(LoadedTextModel model, TextOutputs.Settings settings, NDManager manager,
            List<Item> batch, List<PreparedPrompt> prepared, Path target) {
        List<TextOutputs.Prompt> prompts = prepared.stream().map(p -> new TextOutputs.Prompt(p.prompt(), p.text(),
                p.negative())).toList();
        List<String> texts = prompts.stream().map(TextOutputs.Prompt::encoded).toList();
        List<String> negs = batch.stream().anyMatch(i -> i.negative() != null)
                ? batch.stream().map(Item::negative).toList() : null;
        TextConditioner.Result r = time.time("forward", () -> model.conditioner().encode(manager, texts, negs,
                settings.options()));
        time.add("tokenize", r.tokenizeNanos()); // a part of the call, counted apart
        time.add("forward", -r.tokenizeNanos());
        PromptsFile.report(spec.commandLine().getErr(), batch, r);
        return time.time("write", () -> {
            SafetensorsWriter w = TextOutputs.of(model, settings, prompts, r);
            out.write(w, target);
            return w;
        });
    }
}
