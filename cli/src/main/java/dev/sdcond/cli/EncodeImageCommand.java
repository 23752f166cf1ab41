package dev.sdcond.cli;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.sdcond.ipadapter.ImageEmbeddings;
import dev.sdcond.ipadapter.ImageEncoder;
import dev.sdcond.ipadapter.IpAdapterCheck;
import dev.sdcond.ipadapter.LoadedVisionModel;
import dev.sdcond.ipadapter.Uncond;
import dev.sdcond.ipadapter.VisionModels;
import dev.sdcond.ipadapter.image.AlphaMode;
import dev.sdcond.ipadapter.image.ImageLoader;
import dev.sdcond.ipadapter.image.RgbImage;
import dev.sdcond.ipadapter.preprocess.ClipImageProcessor;
import dev.sdcond.ipadapter.preprocess.CropPosition;
import dev.sdcond.ipadapter.preprocess.ResizeMode;
import dev.sdcond.models.Checkpoints;
import dev.sdcond.models.InvalidInputException;
import dev.sdcond.models.Towers;
import dev.sdcond.models.clip.OutputRequest;
import dev.sdcond.models.safetensors.SafetensorsWriter;
import dev.sdcond.models.safetensors.TensorSource;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
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

    @Option(names = "--mode", defaultValue = "hf", description = "hf (shortest edge + crop), squash or pad (default: ${DEFAULT-VALUE})")
    String mode;

    @Option(names = "--crop", defaultValue = "center", description = "crop position for hf: center, top, bottom, left, right")
    String crop;

    @Option(names = "--uncond", description = "zeros, zero-pixels, black, or an image file for the negative embeddings")
    String uncond;

    @Option(names = "--layer", defaultValue = "-2", description = "hidden_states index to save (default: ${DEFAULT-VALUE}, penultimate)")
    int layer;

    @Option(names = "--save-pixels", description = "also save pixel_values")
    boolean savePixels;

    @Option(names = "--alpha", defaultValue = "drop",
            description = "drop (as Pillow's convert(\"RGB\")) or a hex colour to composite over, e.g. ffffff")
    String alpha;

    @Option(names = "--max-pixels", description = "refuse larger images (default: Pillow's 89478485)")
    Long maxPixels;

    @Option(names = "--ip-adapter", description = "an IP-Adapter checkpoint: refuse an image encoder it cannot use")
    Path ipAdapter;

    @Option(names = "--output-dir", description = "one output per image in this folder")
    Path outputDir;

    @Option(names = "--batch-size", defaultValue = "16",
            description = "images per forward pass when many go into one file (default: ${DEFAULT-VALUE})")
    int batchSize;

    @Mixin
    ComputeOptions computeOptions;

    @Mixin
    OutputOptions out;

    @Override
    public Integer call() throws Exception {
        if (batchSize < 1) {
            throw new IllegalArgumentException("--batch-size must be at least 1");
        }
        List<Path> files = imageFiles();
        boolean perItem = outputDir != null;
        if (!perItem && out.output == null) {
            throw new IllegalArgumentException("--output is required (or --output-dir)");
        }
        out.checkWritable(out.output);
        ImageLoader loader = ImageLoader.DEFAULT.withAlpha(alphaMode());
        if (maxPixels != null) {
            loader = loader.withMaxPixels(maxPixels);
        }
        ResizeMode m = ResizeMode.parse(mode);
        CropPosition c = CropPosition.parse(crop);
        // decode every input first: a bad file fails before any model work or output
        List<RgbImage> images = new ArrayList<>();
        for (Path f : files) {
            images.add(loader.load(f));
        }
        Uncond u = uncond(loader);
        try (LoadedVisionModel vm = VisionModels.open(model, computeOptions.compute());
                NDManager manager = NDManager.newBaseManager(Towers.ENGINE)) {
            if (ipAdapter != null) {
                try (TensorSource adapter = Checkpoints.open(ipAdapter)) {
                    IpAdapterCheck.of(adapter).requireFits(vm.tower(), ipAdapter.toString());
                }
            }
            OutputRequest.normalize(layer, vm.tower().numLayers());
            ClipImageProcessor proc = ClipImageProcessor.hf(vm.tower().config().imageSize()).withMode(m).withCrop(c);
            ImageEncoder encoder = new ImageEncoder(vm.tower(), proc);
            String sha = out.weightsSha256(vm.weightFiles());
            if (!perItem) {
                ImageEmbeddings e = encodeInGroups(encoder, manager, images, u);
                SafetensorsWriter w = write(vm, sha, files, e, out.output);
                spec.commandLine().getErr().println("wrote " + out.output + " " + w.names());
                return ExitCodes.OK;
            }
            Files.createDirectories(outputDir);
            Progress progress = new Progress(spec.commandLine().getErr(), images.size());
            for (int i = 0; i < images.size(); i++) {
                String base = files.get(i).getFileName().toString().replaceFirst("\\.[^.]*$", "");
                Path target = outputDir.resolve(base + (out.npy() ? "" : ".safetensors"));
                out.checkWritable(target);
                try (NDManager one = manager.newSubManager()) {
                    write(vm, sha, List.of(files.get(i)), encoder.encode(one, List.of(images.get(i)), layer, u), target);
                }
                progress.step();
            }
            progress.finish("images");
            return ExitCodes.OK;
        }
    }

    /** Encodes {@code --batch-size} images per forward pass and stacks the results, so memory stays bounded. */
    private ImageEmbeddings encodeInGroups(ImageEncoder encoder, NDManager manager, List<RgbImage> images, Uncond u) {
        if (images.size() <= batchSize) {
            return encoder.encode(manager, images, layer, u);
        }
        List<ImageEmbeddings> parts = new ArrayList<>();
        Progress progress = new Progress(spec.commandLine().getErr(), images.size());
        for (int i = 0; i < images.size(); i += batchSize) {
            List<RgbImage> group = images.subList(i, Math.min(images.size(), i + batchSize));
            parts.add(encoder.encode(manager, group, layer, u));
            group.forEach(g -> progress.step());
        }
        progress.finish("images");
        return new ImageEmbeddings(stack(parts, ImageEmbeddings::imageEmbeds), stack(parts, ImageEmbeddings::hiddenStates),
                layer, stack(parts, ImageEmbeddings::pixelValues), stack(parts, ImageEmbeddings::uncondImageEmbeds),
                stack(parts, ImageEmbeddings::uncondHiddenStates));
    }

    private static NDArray stack(List<ImageEmbeddings> parts, java.util.function.Function<ImageEmbeddings, NDArray> key) {
        List<NDArray> arrays = parts.stream().map(key).toList();
        if (arrays.get(0) == null) {
            return null;
        }
        return ai.djl.ndarray.NDArrays.concat(new ai.djl.ndarray.NDList(arrays), 0);
    }

    private List<Path> imageFiles() throws java.io.IOException {
        if (input.images != null) {
            return input.images;
        }
        if (!Files.isDirectory(input.dir)) {
            throw new InvalidInputException(input.dir + ": not a folder");
        }
        try (Stream<Path> s = Files.list(input.dir)) {
            List<Path> files = s.filter(Files::isRegularFile)
                    .filter(p -> p.getFileName().toString().toLowerCase(Locale.ROOT)
                            .matches(".*\\.(png|jpe?g|webp|bmp|gif)$"))
                    .sorted().toList();
            if (files.isEmpty()) {
                throw new InvalidInputException(input.dir + ": no PNG, JPEG, WebP, BMP or GIF files");
            }
            return files;
        }
    }

    private AlphaMode alphaMode() {
        if (alpha.equalsIgnoreCase("drop")) {
            return AlphaMode.DROP;
        }
        try {
            return AlphaMode.over(Integer.parseInt(alpha.replaceFirst("^#", ""), 16));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("--alpha takes drop or a hex colour such as ffffff, not '" + alpha + "'");
        }
    }

    private Uncond uncond(ImageLoader loader) {
        if (uncond == null) {
            return null;
        }
        return switch (uncond.toLowerCase(Locale.ROOT)) {
            case "zeros" -> new Uncond.Zeros();
            case "zero-pixels" -> new Uncond.ZeroPixels();
            case "black" -> new Uncond.Black();
            default -> {
                Path p = Path.of(uncond);
                if (!Files.exists(p)) {
                    throw new IllegalArgumentException("--uncond takes zeros, zero-pixels, black or an image file; "
                            + uncond + " is none of them");
                }
                yield new Uncond.Image(loader.load(p));
            }
        };
    }

    /** Writes one output file (or npy folder) with the embeddings of {@code files}. */
    private SafetensorsWriter write(LoadedVisionModel vm, String sha, List<Path> files, ImageEmbeddings e, Path target)
            throws java.io.IOException {
        SafetensorsWriter w = writer(vm, sha, files);
        add(w, e, vm.tower().numLayers());
        out.write(w, target);
        return w;
    }

    private SafetensorsWriter writer(LoadedVisionModel vm, String sha, List<Path> files) {
        SafetensorsWriter w = new SafetensorsWriter();
        w.metadata("sdcond.version", Provenance.VERSION);
        w.metadata("model", vm.description());
        w.metadata("model_sha256", sha);
        w.metadata("mode", mode);
        w.metadata("crop", crop);
        w.metadata("layer", String.valueOf(layer));
        w.metadata("uncond", uncond == null ? "none" : uncond);
        w.metadata("dtype", computeOptions.dtype);
        w.metadata("device", computeOptions.device);
        w.metadata("images", String.join(", ", files.stream().map(Path::toString).toList()));
        vm.metadata().forEach(w::metadata);
        return w;
    }

    private void add(SafetensorsWriter w, ImageEmbeddings e, int numLayers) {
        String hidden = layer == -2 ? "penultimate_hidden_states"
                : "hidden_states_layer_" + OutputRequest.normalize(layer, numLayers);
        put(w, "image_embeds", e.imageEmbeds());
        put(w, hidden, e.hiddenStates());
        put(w, "uncond_image_embeds", e.uncondImageEmbeds());
        put(w, "uncond_" + hidden, e.uncondHiddenStates());
        if (savePixels) {
            put(w, "pixel_values", e.pixelValues());
        }
    }

    private static void put(SafetensorsWriter w, String key, NDArray a) {
        if (a != null) {
            EncodeTextCommand.checkFinite(key, a);
            w.add(key, a);
        }
    }
}
