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
import java.util.Map;
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

    @Option(names = "--mode", defaultValue = "hf", converter = Converters.ResizeModeConverter.class,
            description = "hf (transformers/diffusers: shortest edge + crop, Pillow bicubic), squash, pad, comfy"
                    + " (ComfyUI's CLIPVisionEncode crop=center) or comfy-squash (crop=none) (default: hf)")
    ResizeMode mode;

    @Option(names = "--crop", defaultValue = "center", converter = Converters.CropConverter.class,
            description = "crop position for hf: center, top, bottom, left, right (default: center)")
    CropPosition crop;

    @Option(names = "--uncond", converter = UncondConverter.class,
            description = "zeros, zero-pixels, black, or an image file for the negative embeddings")
    String uncond;

    @Option(names = "--layer", defaultValue = "-2", description = "hidden_states index to save (default: ${DEFAULT-VALUE}, penultimate)")
    int layer;

    @Option(names = "--save-pixels", description = "also save pixel_values")
    boolean savePixels;

    @Option(names = "--alpha", defaultValue = "drop", converter = AlphaConverter.class,
            description = "drop (as Pillow's convert(\"RGB\")) or a hex colour to composite over, e.g. ffffff")
    AlphaMode alpha;

    @Option(names = "--max-pixels", converter = Converters.PositiveLong.class,
            description = "refuse larger images (default: Pillow's 89478485)")
    Long maxPixels;

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

    /** --uncond: a keyword, or an image file that exists. */
    static final class UncondConverter implements picocli.CommandLine.ITypeConverter<String> {
        @Override
        public String convert(String v) {
            if (List.of("zeros", "zero-pixels", "black").contains(v.toLowerCase(Locale.ROOT))) {
                return v.toLowerCase(Locale.ROOT);
            }
            if (!Files.isRegularFile(Path.of(v))) {
                throw new picocli.CommandLine.TypeConversionException("'" + v
                        + "' is not zeros, zero-pixels, black or an image file");
            }
            return v;
        }
    }

    /** --alpha: drop, or RRGGBB. */
    static final class AlphaConverter implements picocli.CommandLine.ITypeConverter<AlphaMode> {
        @Override
        public AlphaMode convert(String v) {
            if (v.equalsIgnoreCase("drop")) {
                return AlphaMode.DROP;
            }
            String hex = v.replaceFirst("^#", "");
            if (!hex.matches("[0-9A-Fa-f]{6}")) {
                throw new picocli.CommandLine.TypeConversionException("takes drop or a hex colour such as ffffff, not '"
                        + v + "'");
            }
            return AlphaMode.over(Integer.parseInt(hex, 16));
        }
    }

    @Override
    public Integer call() {
        // everything the user gave is checked before the model is loaded
        List<Path> files = imageFiles();
        boolean perItem = outputDir != null;
        Path single = perItem ? null : out.single(outputDir);
        List<Path> targets = !perItem ? null : out.perItem(outputDir, files.stream()
                .map(f -> Map.entry(f.getFileName().toString().replaceFirst("\\.[^.]*$", ""), f.toString())).toList());
        ImageLoader loader = ImageLoader.DEFAULT.withAlpha(alpha);
        if (maxPixels != null) {
            loader = loader.withMaxPixels(maxPixels);
        }
        // every image is decoded once to check it, and dropped: a bad file fails before any model work, and memory
        // holds at most --batch-size decoded images at any time
        for (Path f : files) {
            loader.load(f);
        }
        Uncond u = uncond(loader);
        try (LoadedVisionModel vm = VisionModels.open(model, computeOptions.compute(spec.commandLine().getErr()));
                NDManager manager = NDManager.newBaseManager(Towers.ENGINE)) {
            if (ipAdapter != null) {
                try (TensorSource adapter = Checkpoints.open(ipAdapter)) {
                    IpAdapterCheck.of(adapter).requireFits(vm.tower(), ipAdapter.toString());
                }
            }
            OutputRequest.normalize(layer, vm.tower().numLayers());
            ClipImageProcessor proc = ClipImageProcessor.hf(vm.tower().config().imageSize()).withMode(mode).withCrop(crop);
            ImageEncoder encoder = new ImageEncoder(vm.tower(), proc);
            String sha = out.weightsSha256(vm::weightsSha256);
            if (!perItem) {
                ImageEmbeddings e = encodeInGroups(encoder, manager, loader, files, u);
                SafetensorsWriter w = write(vm, sha, files, e, single);
                spec.commandLine().getErr().println("wrote " + single + " " + w.names());
                return ExitCodes.OK;
            }
            Progress progress = new Progress(spec.commandLine().getErr(), files.size());
            for (int i = 0; i < files.size(); i++) {
                try (NDManager one = manager.newSubManager()) {
                    write(vm, sha, List.of(files.get(i)), encoder.encode(one, List.of(loader.load(files.get(i))), layer, u),
                            targets.get(i));
                }
                progress.step();
            }
            progress.finish("images");
            return ExitCodes.OK;
        }
    }

    /**
     * Decodes and encodes {@code --batch-size} images per forward pass and stacks the results, so that memory holds
     * one group of decoded images at a time.
     */
    private ImageEmbeddings encodeInGroups(ImageEncoder encoder, NDManager manager, ImageLoader loader, List<Path> files,
            Uncond u) {
        List<ImageEmbeddings> parts = new ArrayList<>();
        Progress progress = files.size() > batchSize ? new Progress(spec.commandLine().getErr(), files.size()) : null;
        for (int i = 0; i < files.size(); i += batchSize) {
            List<RgbImage> group = new ArrayList<>();
            for (Path f : files.subList(i, Math.min(files.size(), i + batchSize))) {
                group.add(loader.load(f));
            }
            parts.add(encoder.encode(manager, group, layer, u));
            if (progress != null) {
                group.forEach(g -> progress.step());
            }
        }
        if (progress != null) {
            progress.finish("images");
        }
        if (parts.size() == 1) {
            return parts.get(0);
        }
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

    private List<Path> imageFiles() {
        if (input.images != null) {
            return input.images;
        }
        if (!Files.isDirectory(input.dir)) {
            throw new InvalidInputException(input.dir + ": --images takes a folder, and this is "
                    + (Files.exists(input.dir) ? "a file" : "not there"));
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
        } catch (java.io.IOException e) {
            throw dev.sdcond.models.io.InputFiles.unreadable(input.dir, e);
        }
    }

    private Uncond uncond(ImageLoader loader) {
        if (uncond == null) {
            return null;
        }
        return switch (uncond) {
            case "zeros" -> new Uncond.Zeros();
            case "zero-pixels" -> new Uncond.ZeroPixels();
            case "black" -> new Uncond.Black();
            default -> new Uncond.Image(loader.load(Path.of(uncond)));
        };
    }

    /** Writes one output file (or npy folder) with the embeddings of {@code files}. */
    private SafetensorsWriter write(LoadedVisionModel vm, String sha, List<Path> files, ImageEmbeddings e, Path target) {
        SafetensorsWriter w = writer(vm, sha, files);
        add(w, e, vm.tower().numLayers());
        out.write(w, target);
        return w;
    }

    private SafetensorsWriter writer(LoadedVisionModel vm, String sha, List<Path> files) {
        SafetensorsWriter w = new SafetensorsWriter();
        w.metadata("sdcond.version", Provenance.VERSION);
        w.metadata("model", vm.description());
        OutputOptions.recordWeights(w, sha, vm.tensorsRead());
        w.metadata("mode", mode.name().toLowerCase(Locale.ROOT).replace('_', '-'));
        w.metadata("crop", crop.name().toLowerCase(Locale.ROOT));
        w.metadata("layer", String.valueOf(layer));
        w.metadata("uncond", uncond == null ? "none" : uncond);
        w.metadata("dtype", computeOptions.dtype.toString());
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
            Outputs.checkFinite(key, a);
            w.add(key, a);
        }
    }
}
