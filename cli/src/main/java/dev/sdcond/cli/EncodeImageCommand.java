package dev.sdcond.cli;

import ai.djl.ndarray.NDManager;
import dev.sdcond.ipadapter.ImageEmbeddings;
import dev.sdcond.ipadapter.ImageEncoder;
import dev.sdcond.ipadapter.ImageRequest;
import dev.sdcond.ipadapter.ImageOutputs;
import dev.sdcond.models.Compute;
import dev.sdcond.ipadapter.IpAdapterCheck;
import dev.sdcond.ipadapter.LoadedVisionModel;
import dev.sdcond.ipadapter.Uncond;
import dev.sdcond.ipadapter.VisionModels;
import dev.sdcond.ipadapter.image.ImageLoader;
import dev.sdcond.models.checkpoint.Checkpoints;
import dev.sdcond.models.Towers;
import dev.sdcond.models.clip.OutputRequest;
import dev.sdcond.models.safetensors.SafetensorsWriter;
import dev.sdcond.models.safetensors.TensorSource;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(name = "encode-image", mixinStandardHelpOptions = true,
        description = "Encode images into IP-Adapter embeddings.",
        footer = {"", "Examples:",
            "  sdcond encode-image --model builtin:vit-h-random --image cat.png -o cat.safetensors",
            "  sdcond encode-image --model ./IP-Adapter/models/image_encoder --image a.jpg --image b.png"
                + " --uncond zero-pixels -o ab.safetensors",
            "  sdcond encode-image --model ./image_encoder --images photos/ --output-dir embeds/",
            "", "Output keys: image_embeds [B,P], penultimate_hidden_states [B,T,W] (or hidden_states_layer_N),",
            "uncond_image_embeds, uncond_penultimate_hidden_states, pixel_values [B,3,S,S] with --save-pixels."})
final class EncodeImageCommand implements Callable<Integer> {
    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Option(names = {"-m", "--model"}, required = true,
            description = "an image encoder folder (config.json + safetensors), a diffusers pipeline or IP-Adapter"
                    + " repository folder, or builtin:vit-h-random|vit-bigg-random")
    String model;

    @ArgGroup(exclusive = true, multiplicity = "1")
    Input input;

    static final class Input {
        @Option(names = {"-i", "--image"}, description = "an image file (repeat for a batch)") List<Path> images;
        @Option(names = "--images", description = "a folder of images: one output each with --output-dir") Path dir;
    }

    @Mixin
    ImageOptions image;

    @Option(names = "--layer", defaultValue = "-2", description = "hidden_states index to save (default: ${DEFAULT-VALUE}, penultimate)")
    int layer;

    @Option(names = "--save-pixels", description = "also save pixel_values")
    boolean savePixels;

    @Option(names = "--ip-adapter", description = "an IP-Adapter checkpoint: refuse an image encoder it cannot use")
    Path ipAdapter;

    @Option(names = "--output-dir", description = "one output per image in this folder")
    Path outputDir;

    @Option(names = "--batch-size", defaultValue = "16", converter = Converters.Positive.class,
            description = "images per forward pass; at most this many decoded images are held at once (default: 16)")
    int batchSize;

    @Mixin
    ComputeOptions computeOptions;

    @Mixin
    OutputOptions out;

    @Override
    public Integer call() {
        // everything the user gave is checked before the model is loaded
        List<Path> files = input.images != null ? input.images : dev.sdcond.ipadapter.image.ImageFolder.list(input.dir);
        boolean perItem = outputDir != null;
        List<Path> read = new java.util.ArrayList<>(files);
        read.add(input.dir);
        read.add(ipAdapter);
        if (image.uncond() != null) {
            Uncond.imageFile(image.uncond()).ifPresent(read::add);
        }
        out.reads(OutputOptions.inputs(List.of(model), read));
        Path single = perItem ? null : out.single(outputDir);
        List<Path> targets = !perItem ? null : out.perItem(outputDir, files.stream()
                .map(f -> Map.entry(f.getFileName().toString().replaceFirst("\\.[^.]*$", ""), f.toString())).toList());
        ImageRequest request = image.request(model, layer, computeOptions.kernels);
        ImageLoader loader = request.loader();
        // every image is decoded once to check it, and dropped: a bad file fails before any model work, and memory
        // holds at most --batch-size decoded images at any time
        for (Path f : files) {
            loader.load(f);
        }
        Uncond u = request.negative().orElse(null);
        Compute compute = computeOptions.compute(spec.commandLine().getErr());
        try (LoadedVisionModel vm = VisionModels.open(model, compute);
                NDManager manager = NDManager.newBaseManager(Towers.ENGINE)) {
            if (ipAdapter != null) {
                try (TensorSource adapter = Checkpoints.open(ipAdapter)) {
                    IpAdapterCheck.of(adapter).requireFits(vm.tower(), ipAdapter.toString());
                }
            }
            OutputRequest.normalize(layer, vm.tower().numLayers());
            ImageEncoder encoder = new ImageEncoder(vm.tower(), request.processor(vm.tower().config().imageSize()));
            ImageOutputs.Settings settings = new ImageOutputs.Settings(compute, request.mode(), request.crop(), layer,
                    request.uncond().orElse("none"), savePixels, out.weightsSha256(vm::weightsSha256));
            if (!perItem) {
                Progress progress = files.size() > batchSize ? new Progress(spec.commandLine().getErr(), files.size())
                        : null;
                ImageEmbeddings e = ImageOutputs.encodeInGroups(encoder, manager, loader, files, layer, u, batchSize,
                        n -> {
                            if (progress != null) {
                                progress.step(n);
                            }
                        });
                if (progress != null) {
                    progress.finish("images");
                }
                SafetensorsWriter w = write(vm, settings, files, e, single);
                spec.commandLine().getErr().println("wrote " + single + " " + w.names());
                return ExitCodes.OK;
            }
            Progress progress = new Progress(spec.commandLine().getErr(), files.size());
            for (int i = 0; i < files.size(); i++) {
                try (NDManager one = manager.newSubManager()) {
                    write(vm, settings, List.of(files.get(i)), encoder.encode(one, List.of(loader.load(files.get(i))), layer, u),
                            targets.get(i));
                }
                progress.step();
            }
            progress.finish("images");
            return ExitCodes.OK;
        }
    }

    /** Writes one output file (or npy folder) with the embeddings of {@code files}. */
    private SafetensorsWriter write(LoadedVisionModel vm, ImageOutputs.Settings settings, List<Path> files,
            ImageEmbeddings e, Path target) {
        SafetensorsWriter w = ImageOutputs.of(vm, settings, files, e);
        out.write(w, target);
        return w;
    }
}
