package dev.sdcond.models.layout;

import dev.sdcond.models.safetensors.TensorInfo;
import dev.sdcond.models.safetensors.TensorSource;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Finds CLIP towers in a checkpoint from its key names alone: Hugging Face ({@code text_model.*},
 * {@code vision_model.*}), OpenCLIP ({@code token_embedding.weight}, {@code transformer.resblocks.*},
 * {@code visual.*}), with any prefix (SD1.x {@code cond_stage_model.transformer.}, SD2.x {@code cond_stage_model.model.},
 * SDXL {@code conditioner.embedders.0.transformer.} and {@code conditioner.embedders.1.model.}). Also recognises what
 * is not a CLIP encoder (UNet, VAE, IP-Adapter weights) to say so.
 */
public final class LayoutDetector {
    private static final String HF_TEXT = "text_model.embeddings.token_embedding.weight";
    private static final String HF_UNNESTED_TEXT = "embeddings.token_embedding.weight";
    private static final String HF_VISION = "vision_model.embeddings.patch_embedding.weight";
    private static final String OC_TEXT = "token_embedding.weight";
    private static final String OC_VISION = "visual.conv1.weight";

    private LayoutDetector() {}

    /**
     * Every CLIP tower in the checkpoint.
     *
     * @param src the checkpoint
     * @return its CLIP towers, text first
     */
    public static List<DetectedTower> towers(TensorSource src) {
        List<DetectedTower> out = new ArrayList<>();
        for (String k : new TreeSet<>(src.names())) {
            if (k.endsWith(HF_TEXT)) {
                hfText(src, k.substring(0, k.length() - HF_TEXT.length()), "text_model.", KeyLayout.HF)
                        .ifPresent(out::add);
            } else if (k.endsWith(HF_UNNESTED_TEXT) && (k.length() == HF_UNNESTED_TEXT.length()
                    || k.charAt(k.length() - HF_UNNESTED_TEXT.length() - 1) == '.')) {
                hfText(src, k.substring(0, k.length() - HF_UNNESTED_TEXT.length()), "", KeyLayout.HF_UNNESTED)
                        .ifPresent(out::add);
            } else if (k.endsWith(HF_VISION)) {
                hfVision(src, k.substring(0, k.length() - HF_VISION.length())).ifPresent(out::add);
            } else if (k.endsWith(OC_VISION)) {
                ocVision(src, k.substring(0, k.length() - OC_VISION.length())).ifPresent(out::add);
            } else if (k.endsWith(OC_TEXT) && !k.endsWith("embeddings." + OC_TEXT)) {
                ocText(src, k.substring(0, k.length() - OC_TEXT.length())).ifPresent(out::add);
            }
        }
        // text towers by width, stably: CLIP-L before bigG as every preset lists them (SD3 single files name them
        // text_encoders.clip_g before text_encoders.clip_l in key order)
        List<DetectedTower> text = new ArrayList<>(out.stream().filter(t -> t.kind() == TowerKind.TEXT).toList());
        text.sort(java.util.Comparator.comparingInt(DetectedTower::width));
        List<DetectedTower> sorted = new ArrayList<>(text);
        out.stream().filter(t -> t.kind() != TowerKind.TEXT).forEach(sorted::add);
        return sorted;
    }

    /**
     * What the checkpoint holds besides CLIP towers, in words (UNet, VAE, IP-Adapter), for error messages.
     *
     * @param src the checkpoint
     * @return what else it holds, in words (e.g. a UNet, a VAE)
     */
    public static List<String> otherParts(TensorSource src) {
        List<String> parts = new ArrayList<>();
        Set<String> names = src.names();
        if (names.stream().anyMatch(n -> n.startsWith("model.diffusion_model.") || n.startsWith("down_blocks.")
                || n.startsWith("mid_block.attentions"))) {
            parts.add("a UNet");
        }
        if (names.stream().anyMatch(n -> n.startsWith("first_stage_model.") || n.startsWith("encoder.down.")
                || n.startsWith("decoder.up.") || n.startsWith("encoder.down_blocks.") || n.startsWith("post_quant_conv"))) {
            parts.add("a VAE");
        }
        if (names.stream().anyMatch(n -> n.startsWith("image_proj.") || n.startsWith("ip_adapter."))) {
            parts.add("IP-Adapter weights (an adapter, not an image encoder)");
        }
        if (names.stream().anyMatch(n -> n.startsWith("double_blocks.") || n.startsWith("transformer_blocks."))) {
            parts.add("a diffusion transformer");
        }
        T5Layout.prefix(src).ifPresent(p -> parts.add("a T5 encoder" + (p.isEmpty() ? "" : " (" + p + ")")));
        return parts;
    }

    private static String where(String prefix) {
        if (prefix.isEmpty()) {
            return "top level";
        }
        if (prefix.startsWith("cond_stage_model.")) {
            return "SD1.x/SD2.x single file (" + prefix + ")";
        }
        if (prefix.startsWith("conditioner.embedders.")) {
            return "SDXL single file (" + prefix + ")";
        }
        if (prefix.startsWith("text_encoders.")) {
            return "SD3 single file (" + prefix + ")";
        }
        return prefix;
    }

    private static int[] shape(TensorSource src, String key) {
        Optional<TensorInfo> t = src.info(key);
        if (t.isEmpty()) {
            return null;
        }
        long[] s = t.get().shape();
        int[] out = new int[s.length];
        for (int i = 0; i < s.length; i++) {
            out[i] = (int) s[i];
        }
        return out;
    }

    /**
     * The layers 0, 1, 2, ... present without a gap: a key with a huge or far-off index (a crafted file) adds no
     * layers, so the count never exceeds the keys there are.
     */
    private static int countLayers(TensorSource src, String prefix) {
        Pattern p = Pattern.compile(Pattern.quote(prefix) + "(\\d{1,9})\\.");
        java.util.Set<Integer> present = new java.util.HashSet<>();
        for (String k : src.names()) {
            if (k.startsWith(prefix)) {
                Matcher m = p.matcher(k);
                if (m.lookingAt()) {
                    present.add(Integer.parseInt(m.group(1)));
                }
            }
        }
        int n = 0;
        while (present.contains(n)) {
            n++;
        }
        return n;
    }

    /** @param inner {@code text_model.} in the Hugging Face layout, empty in the unnested one */
    private static Optional<DetectedTower> hfText(TensorSource src, String prefix, String inner, KeyLayout layout) {
        int[] tok = shape(src, prefix + inner + "embeddings.token_embedding.weight");
        int[] pos = shape(src, prefix + inner + "embeddings.position_embedding.weight");
        int[] fc1 = shape(src, prefix + inner + "encoder.layers.0.mlp.fc1.weight");
        if (tok == null || pos == null || fc1 == null || tok.length != 2 || pos.length != 2 || fc1.length != 2) {
            return Optional.empty();
        }
        int[] proj = shape(src, prefix + "text_projection.weight");
        return Optional.of(new DetectedTower(TowerKind.TEXT, layout, prefix, tok[1],
                countLayers(src, prefix + inner + "encoder.layers."), fc1[0],
                Optional.ofNullable(proj == null ? null : proj[0]), 0, 0, pos[0], where(prefix)));
    }

    private static Optional<DetectedTower> hfVision(TensorSource src, String prefix) {
        int[] patch = shape(src, prefix + HF_VISION);
        int[] pos = shape(src, prefix + "vision_model.embeddings.position_embedding.weight");
        int[] fc1 = shape(src, prefix + "vision_model.encoder.layers.0.mlp.fc1.weight");
        if (patch == null || pos == null || fc1 == null || patch.length != 4) {
            return Optional.empty();
        }
        int[] proj = shape(src, prefix + "visual_projection.weight");
        int grid = (int) Math.round(Math.sqrt(pos[0] - 1));
        return Optional.of(new DetectedTower(TowerKind.VISION, KeyLayout.HF, prefix, patch[0],
                countLayers(src, prefix + "vision_model.encoder.layers."), fc1[0],
                Optional.ofNullable(proj == null ? null : proj[0]), patch[2], grid * patch[2], pos[0], where(prefix)));
    }

    private static Optional<DetectedTower> ocText(TensorSource src, String prefix) {
        int[] tok = shape(src, prefix + OC_TEXT);
        int[] pos = shape(src, prefix + "positional_embedding");
        int[] fc = shape(src, prefix + "transformer.resblocks.0.mlp.c_fc.weight");
        if (tok == null || pos == null || fc == null || src.info(prefix + "transformer.resblocks.0.attn.in_proj_weight").isEmpty()) {
            return Optional.empty();
        }
        int[] proj = shape(src, prefix + "text_projection");
        Integer p = proj == null ? null : proj.length == 2 ? proj[1] : null;
        return Optional.of(new DetectedTower(TowerKind.TEXT, KeyLayout.OPENCLIP, prefix, tok[1],
                countLayers(src, prefix + "transformer.resblocks."), fc[0], Optional.ofNullable(p), 0, 0, pos[0],
                where(prefix)));
    }

    private static Optional<DetectedTower> ocVision(TensorSource src, String prefix) {
        String v = prefix + "visual.";
        int[] conv = shape(src, v + "conv1.weight");
        int[] pos = shape(src, v + "positional_embedding");
        int[] fc = shape(src, v + "transformer.resblocks.0.mlp.c_fc.weight");
        if (conv == null || pos == null || fc == null || conv.length != 4) {
            return Optional.empty();
        }
        int[] proj = shape(src, v + "proj");
        int grid = (int) Math.round(Math.sqrt(pos[0] - 1));
        return Optional.of(new DetectedTower(TowerKind.VISION, KeyLayout.OPENCLIP, prefix, conv[0],
                countLayers(src, v + "transformer.resblocks."), fc[0],
                Optional.ofNullable(proj == null ? null : proj[1]), conv[2], grid * conv[2], pos[0], where(prefix)));
    }
}
