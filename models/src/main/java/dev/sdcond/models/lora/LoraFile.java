package dev.sdcond.models.lora;

import dev.sdcond.models.checkpoint.Checkpoints;
import dev.sdcond.models.InvalidInputException;
import dev.sdcond.models.safetensors.TensorInfo;
import dev.sdcond.models.safetensors.TensorSource;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The text-encoder modules of a LoRA file, found from its header. Two key styles:
 *
 * <ul>
 *   <li>kohya: {@code lora_te_} (SD1.x, or SDXL's CLIP-L), {@code lora_te1_} (CLIP-L), {@code lora_te2_} (SDXL's
 *       bigG), then the module's Hugging Face path with {@code _} for {@code .}; {@code .lora_down.weight} [r, in],
 *       {@code .lora_up.weight} [out, r], optional {@code .alpha};</li>
 *   <li>diffusers / PEFT: {@code text_encoder.} (CLIP-L) or {@code text_encoder_2.} (bigG), then the module's path;
 *       {@code .lora_A.weight} (down) and {@code .lora_B.weight} (up), no alpha.</li>
 * </ul>
 * UNet modules ({@code lora_unet_}, {@code unet.}) are counted and ignored. LoHa, LoKr and DoRA files are refused by
 * name. The file stays open (its tensors are read when a tower is loaded) until {@link #close}.
 */
public final class LoraFile implements AutoCloseable {
    /** The encoder of a kohya {@code lora_te_} module: SD1.x's only one, or SDXL's first. */
    static final int FIRST = 0;

    /**
     * One module: {@code W += strength * alpha / rank * up @ down}.
     *
     * @param key the module's key prefix in the file
     * @param encoder 0 (CLIP-L / the only encoder) or 1 (SDXL's bigG)
     * @param path the module's path in the encoder, dotted (PEFT) or with {@code _} (kohya)
     * @param kohya whether {@code path} is in kohya's underscore form
     */
    public record Module(String key, int encoder, String path, boolean kohya, String down, String up, String alpha,
            long rank) {}

    private final Path file;
    private final TensorSource source;
    private final List<Module> modules;
    private final int unetModules;
    private final List<String> unknown;
    private final Set<String> applied = ConcurrentHashMap.newKeySet();

    private LoraFile(Path file, TensorSource source, List<Module> modules, int unetModules, List<String> unknown) {
        this.file = file;
        this.source = source;
        this.modules = modules;
        this.unetModules = unetModules;
        this.unknown = unknown;
    }

    /**
     * Opens a LoRA file and reads its modules from the header.
     *
     * @throws InvalidInputException for a file that is not a safetensors LoRA (a pickle, LoHa, LoKr, DoRA, a module
     *     without its down or up matrix, matrices whose ranks disagree)
     * @param file the LoRA file
     * @return the LoRA; close it to release the file
     */
    public static LoraFile open(Path file) {
        TensorSource src = Checkpoints.open(file);
        try {
            return read(file, src);
        } catch (RuntimeException e) {
            src.close();
            throw e;
        }
    }

    private static LoraFile read(Path file, TensorSource src) {
        Map<String, Map<String, String>> byModule = new TreeMap<>();
        for (String name : src.names()) {
            refuseOtherAdapters(file, name);
            String[] split = split(name);
            if (split == null) {
                continue; // not a LoRA tensor (e.g. metadata-like extras): never applied, listed below if it is text
            }
            byModule.computeIfAbsent(split[0], k -> new TreeMap<>()).put(split[1], name);
        }
        List<Module> modules = new ArrayList<>();
        int unet = 0;
        List<String> unknown = new ArrayList<>();
        for (Map.Entry<String, Map<String, String>> e : byModule.entrySet()) {
            String key = e.getKey();
            if (key.startsWith("lora_unet_") || key.startsWith("unet.")) {
                unet++;
                continue;
            }
            int encoder;
            String path;
            boolean kohya = key.startsWith("lora_te");
            if (key.startsWith("lora_te1_")) {
                encoder = 0;
                path = key.substring("lora_te1_".length());
            } else if (key.startsWith("lora_te2_")) {
                encoder = 1;
                path = key.substring("lora_te2_".length());
            } else if (key.startsWith("lora_te_")) {
                encoder = FIRST;
                path = key.substring("lora_te_".length());
            } else if (key.startsWith("text_encoder_2.")) {
                encoder = 1;
                path = key.substring("text_encoder_2.".length());
            } else if (key.startsWith("text_encoder.")) {
                encoder = 0;
                path = key.substring("text_encoder.".length());
            } else {
                unknown.add(key);
                continue;
            }
            modules.add(module(file, src, key, encoder, path, kohya, e.getValue()));
        }
        return new LoraFile(file, src, List.copyOf(modules), unet, List.copyOf(unknown));
    }

    /** [module key, part] for a LoRA tensor name, or null. */
    private static String[] split(String name) {
        for (String part : new String[] {".lora_down.weight", ".lora_up.weight", ".lora_A.weight", ".lora_B.weight",
            ".alpha"}) {
            if (name.endsWith(part)) {
                return new String[] {name.substring(0, name.length() - part.length()), part};
            }
        }
        return null;
    }

    private static void refuseOtherAdapters(Path file, String name) {
        String kind = name.contains("hada_w") ? "LoHa (hada_* keys)"
                : name.contains("lokr_w") ? "LoKr (lokr_* keys)"
                : name.endsWith("dora_scale") || name.endsWith(".lora_magnitude_vector") ? "DoRA (a magnitude vector)"
                : null;
        if (kind != null) {
            throw new InvalidInputException(file + ": a " + kind + " file; only plain LoRA (lora_down/lora_up or"
                    + " lora_A/lora_B) is supported");
        }
    }

    private static Module module(Path file, TensorSource src, String key, int encoder, String path, boolean kohya,
            Map<String, String> parts) {
        String down = parts.getOrDefault(".lora_down.weight", parts.get(".lora_A.weight"));
        String up = parts.getOrDefault(".lora_up.weight", parts.get(".lora_B.weight"));
        if (down == null || up == null) {
            throw new InvalidInputException(file + ": LoRA module " + key + " lacks its " + (down == null ? "down (A)"
                    : "up (B)") + " matrix");
        }
        long[] d = src.info(down).map(TensorInfo::shape).orElseThrow();
        long[] u = src.info(up).map(TensorInfo::shape).orElseThrow();
        if (d.length != 2 || u.length != 2 || u[1] != d[0] || d[0] == 0 || d[0] > Math.min(u[0], d[1])) {
            throw new InvalidInputException(file + ": LoRA module " + key + " has down " + java.util.Arrays.toString(d)
                    + " and up " + java.util.Arrays.toString(u) + ", not [r, in] and [out, r] with 1 <= r <= min(out, in)");
        }
        String alpha = parts.get(".alpha");
        if (alpha != null && src.info(alpha).orElseThrow().elementCount() != 1) {
            throw new InvalidInputException(file + ": " + alpha + " is not a single number");
        }
        return new Module(key, encoder, path, kohya, down, up, alpha, d[0]);
    }

    /**
     * The file.
     *
     * @return its path
     */
    public Path file() {
        return file;
    }

    /** The tensors, for the merge. */
    TensorSource source() {
        return source;
    }

    /**
     * The text-encoder modules.
     *
     * @return its text-encoder modules
     */
    public List<Module> modules() {
        return modules;
    }

    /**
     * How many UNet modules the file has (ignored here).
     *
     * @return the number of UNet modules (ignored)
     */
    public int unetModules() {
        return unetModules;
    }

    /**
     * The SHA-256 of the whole file, for provenance.
     *
     * @return the file's SHA-256
     */
    public String sha256() {
        return dev.sdcond.models.io.InputFiles.sha256(file);
    }

    void markApplied(Module m) {
        applied.add(m.key());
    }

    /**
     * The text-encoder modules merged into a loaded tower so far.
     *
     * @return how many modules were merged into a loaded encoder
     */
    public int appliedCount() {
        return applied.size();
    }

    /**
     * The text-encoder modules that no loaded tower took (their encoder is absent, or no weight has their name).
     *
     * @return the text-encoder modules no loaded encoder took
     */
    public List<String> unapplied() {
        List<String> out = new ArrayList<>();
        for (Module m : modules) {
            if (!applied.contains(m.key())) {
                out.add(m.key());
            }
        }
        out.addAll(unknown);
        return Collections.unmodifiableList(out);
    }

    @Override
    public void close() {
        source.close();
    }
}
