package dev.sdcond.cli;

import dev.sdcond.conditioning.PooledKind;
import dev.sdcond.conditioning.Preset;
import dev.sdcond.models.checkpoint.Checkpoints;
import dev.sdcond.models.InvalidInputException;
import dev.sdcond.models.layout.DetectedTower;
import dev.sdcond.models.layout.LayoutDetector;
import dev.sdcond.models.layout.TowerKind;
import dev.sdcond.models.weights.PrefixedSource;
import dev.sdcond.models.registry.Builtin;
import dev.sdcond.models.registry.ClipFamily;
import dev.sdcond.models.registry.ImageAdapterKind;
import dev.sdcond.models.registry.ModelFolders;
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
        if (Builtin.isBuiltin(path.toString())) {
            describeBuiltin(out, path.toString());
            return ExitCodes.OK;
        }
        if (!Files.exists(path)) {
            throw new InvalidInputException(path + ": no such file or folder");
        }
        List<Path> parts = ModelFolders.parts(path);
        if (parts.isEmpty()) {
            parts = List.of(path);
        } else {
            out.println(path + ": diffusers pipeline / model repository folder");
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
            boolean t5Folder = Files.isDirectory(p) && ModelFolders.isT5Encoder(p);
            java.util.Optional<String> t5Prefix = dev.sdcond.models.layout.T5Layout.prefix(src);
            if (t5Folder || t5Prefix.isPresent()) {
                PrefixedSource t5Params = new PrefixedSource(src, t5Prefix.orElse(""));
                dev.sdcond.models.t5.T5Config c = t5Folder ? dev.sdcond.models.t5.T5Config.read(p.resolve("config.json"))
                        : dev.sdcond.models.t5.T5Config.fromShapes(t5Params::shape, p.toString());
                out.printf("  T5 encoder (HF layout%s, %s): width %d, %d blocks, %d heads of %d, feed-forward"
                        + " %d, vocabulary %d%n", t5Prefix.filter(x -> !x.isEmpty()).map(x -> ", " + x).orElse(""),
                        t5Folder ? "config.json" : "config from the shapes", c.dModel(), c.numLayers(), c.numHeads(), c.dKv(),
                        c.dFf(), c.vocabSize());
                out.println("    serves: flux text_encoder_2 (prompt_embeds), sd3 text_encoder_3 (T5 tokens after CLIP)");
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
            if (towers.isEmpty() && !t5Folder && t5Prefix.isEmpty()) {
                out.println("  no CLIP text or vision tower found" + (other.isEmpty() ? "" : " (this is "
                        + String.join(" and ", other) + ")"));
            }
            if (!src.metadata().isEmpty()) {
                out.println("  metadata: " + src.metadata());
            }
        }
    }

    private static void describeBuiltin(PrintWriter out, String spec) {
        Builtin b = Builtin.parse(spec, null);
        out.println(spec + ": the real architecture with seeded random weights (seed " + Builtin.SEED + ")"
                + (b.kind() == TowerKind.TEXT ? ", bundled CLIP tokenizer" : ""));
        for (ClipFamily f : b.towers()) {
            out.println("  " + f.displayName() + ": " + (f.kind() == TowerKind.TEXT ? f.textConfig() : f.visionConfig()));
        }
    }

    /** What a tower serves: the presets with an encoder of its family's width, or the IP-Adapters it fits. */
    static String serves(DetectedTower t) {
        List<String> s = new ArrayList<>();
        if (t.kind() == TowerKind.TEXT) {
            for (Preset p : Preset.ALL) {
                for (int i = 0; i < p.encoders().size(); i++) {
                    Preset.EncoderSlot slot = p.encoders().get(i);
                    if (slot.family().width() == t.width()) {
                        s.add(p + (p.encoders().size() > 1 ? " " + ModelFolders.TEXT_ENCODERS.get(i) : "") + " ("
                                + slot.role() + slotNotes(p, i, t) + ")");
                    }
                }
            }
            if (s.isEmpty()) {
                s.add("any preset's encoder slot of width " + t.width() + " (not a standard SD encoder)");
            }
            return String.join(", ", s);
        }
        for (ImageAdapterKind k : ImageAdapterKind.servedBy(t.width(), t.projection().orElse(-1))) {
            s.add(k.models() + " (" + k.takes() + ")");
        }
        if (s.isEmpty()) {
            s.add("image embeddings of width " + t.projection().map(String::valueOf).orElse("(none)")
                    + ", hidden width " + t.width() + " (no standard IP-Adapter)");
        }
        return String.join("; ", s);
    }

    private static String slotNotes(Preset p, int slot, DetectedTower t) {
        ClipFamily f = p.encoders().get(slot).family();
        String notes = "";
        if (t.layers() == f.shippedLayers() && f.shippedLayers() != f.layers()) {
            notes += ", cut to " + t.layers() + " layers as diffusers ships it";
        }
        if (p.pooledFrom().includes(slot)) {
            notes += p.pooled() == PooledKind.POOLER ? ", pooled pooler_output"
                    : t.projection().isPresent() ? ", pooled text_embeds"
                    : ", hidden states only: no text_projection, no pooled vector";
        }
        return notes;
    }
}
