package dev.sdcond.cli;

import dev.sdcond.models.Checkpoints;
import dev.sdcond.models.InvalidInputException;
import dev.sdcond.models.layout.DetectedTower;
import dev.sdcond.models.layout.LayoutDetector;
import dev.sdcond.models.layout.TowerKind;
import dev.sdcond.models.safetensors.DType;
import dev.sdcond.models.safetensors.TensorInfo;
import dev.sdcond.models.safetensors.TensorSource;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(name = "inspect", mixinStandardHelpOptions = true,
        description = "Say what a checkpoint is: layout, CLIP towers, sizes, dtypes, and what it can serve.",
        footer = {"", "Examples:", "  sdcond inspect ./stable-diffusion-xl-base-1.0",
            "  sdcond inspect sd_xl_base_1.0.safetensors", "  sdcond inspect ./IP-Adapter/models/image_encoder"})
final class InspectCommand implements Callable<Integer> {
    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Parameters(index = "0", description = "a checkpoint file or folder")
    Path path;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        if (path.toString().startsWith("builtin:")) {
            describeBuiltin(out, path.toString());
            return ExitCodes.OK;
        }
        if (!Files.exists(path)) {
            throw new InvalidInputException(path + ": no such file or folder");
        }
        List<Path> parts = new ArrayList<>();
        if (Files.isDirectory(path) && !Files.exists(path.resolve("config.json"))) {
            for (String sub : List.of("text_encoder", "text_encoder_2", "image_encoder", "models/image_encoder")) {
                if (Files.isDirectory(path.resolve(sub))) {
                    parts.add(path.resolve(sub));
                }
            }
            if (parts.isEmpty()) {
                parts.add(path);
            } else {
                out.println(path + ": diffusers pipeline / model repository folder");
            }
        } else {
            parts.add(path);
        }
        for (Path p : parts) {
            describe(out, p);
        }
        return ExitCodes.OK;
    }

    private static void describe(PrintWriter out, Path p) {
        try (TensorSource src = Checkpoints.open(p)) {
            long params = 0;
            long bytes = 0;
            Map<DType, Integer> dtypes = new TreeMap<>();
            for (String n : src.names()) {
                TensorInfo t = src.info(n).orElseThrow();
                params += t.elementCount();
                bytes += t.byteLength();
                dtypes.merge(t.dtype(), 1, Integer::sum);
            }
            out.println(src.describe());
            out.printf("  %d tensors, %,d parameters, %.1f MB, dtypes %s%n", src.names().size(), params, bytes / 1e6,
                    dtypes);
            if (Files.isDirectory(p) && Files.exists(p.resolve("config.json"))) {
                out.println("  config: " + p.resolve("config.json"));
            }
            List<DetectedTower> towers = LayoutDetector.towers(src);
            for (DetectedTower t : towers) {
                out.printf("  %s tower (%s layout, %s): width %d, %d layers, MLP %d, %s%s%n",
                        t.kind() == TowerKind.TEXT ? "text" : "vision", t.layout(), t.where(), t.width(), t.layers(),
                        t.mlpWidth(), t.projection().map(x -> "projection " + x).orElse("no projection"),
                        t.kind() == TowerKind.VISION ? ", patch " + t.patchSize() + ", image " + t.imageSize() : "");
                out.println("    serves: " + serves(t));
            }
            List<String> other = LayoutDetector.otherParts(src);
            if (!other.isEmpty()) {
                out.println("  also holds: " + String.join(", ", other));
            }
            if (towers.isEmpty()) {
                out.println("  no CLIP text or vision tower found" + (other.isEmpty() ? "" : " (this is "
                        + String.join(" and ", other) + ")"));
            }
            if (!src.metadata().isEmpty()) {
                out.println("  metadata: " + src.metadata());
            }
        }
    }

    private static void describeBuiltin(PrintWriter out, String spec) {
        String name = spec.substring("builtin:".length());
        java.util.Map<String, List<Object>> builtins = java.util.Map.of(
                "sd15-random", List.of(dev.sdcond.models.config.ClipFamilies.CLIP_L_TEXT),
                "flux-random", List.of(dev.sdcond.models.config.ClipFamilies.CLIP_L_TEXT),
                "sd2-random", List.of(dev.sdcond.models.config.ClipFamilies.OPENCLIP_H_TEXT),
                "sdxl-random", List.of(dev.sdcond.models.config.ClipFamilies.CLIP_L_TEXT,
                        dev.sdcond.models.config.ClipFamilies.OPENCLIP_BIGG_TEXT),
                "vit-h-random", List.of(dev.sdcond.models.config.ClipFamilies.OPENCLIP_H_VISION),
                "vit-bigg-random", List.of(dev.sdcond.models.config.ClipFamilies.OPENCLIP_BIGG_VISION));
        List<Object> configs = builtins.get(name);
        if (configs == null) {
            throw new InvalidInputException("unknown builtin model '" + spec + "' (" + String.join(", ",
                    builtins.keySet().stream().sorted().map(b -> "builtin:" + b).toList()) + ")");
        }
        out.println(spec + ": the real architecture with seeded random weights (seed 0), bundled CLIP tokenizer");
        for (Object c : configs) {
            out.println("  " + c);
        }
    }

    static String serves(DetectedTower t) {
        if (t.kind() == TowerKind.TEXT) {
            return switch (t.width()) {
                case 768 -> "sd15 (CLIP-L), flux (pooled CLIP-L), sdxl text_encoder";
                case 1024 -> "sd2 (OpenCLIP-H" + (t.layers() == 23 ? ", cut to 23 layers as diffusers ships it" : "") + ")";
                case 1280 -> t.projection().isPresent() ? "sdxl text_encoder_2 (OpenCLIP-bigG, pooled text_embeds)"
                        : "sdxl text_encoder_2 hidden states only (no text_projection: no pooled vector)";
                default -> "any preset's encoder slot of width " + t.width() + " (not a standard SD encoder)";
            };
        }
        List<String> s = new ArrayList<>();
        if (t.projection().orElse(-1) == 1024) {
            s.add("IP-Adapter SD1.5 and ip-adapter_sdxl_vit-h (image_embeds 1024)");
        }
        if (t.projection().orElse(-1) == 1280 && t.width() == 1664) {
            s.add("ip-adapter_sdxl (ViT-bigG image_embeds 1280)");
        }
        if (t.width() == 1280) {
            s.add("IP-Adapter Plus SD1.5/SDXL (penultimate hidden states [257, 1280])");
        }
        if (s.isEmpty()) {
            s.add("image embeddings of width " + t.projection().map(String::valueOf).orElse("(none)")
                    + ", hidden width " + t.width() + " (no standard IP-Adapter)");
        }
        return String.join("; ", s);
    }
}
