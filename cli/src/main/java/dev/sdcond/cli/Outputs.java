package dev.sdcond.cli;

import ai.djl.ndarray.NDArray;
import dev.sdcond.conditioning.TextConditioning;
import dev.sdcond.models.safetensors.SafetensorsWriter;
import java.util.List;

/** What the encode commands put into an output: tensors checked to be finite, lists as JSON metadata. */
final class Outputs {
    private Outputs() {}

    /** How the text outputs' tensors are named. */
    enum Names {
        /** hidden_states, pooled, negative_hidden_states, negative_pooled. */
        SDCOND,
        /** diffusers' pipeline arguments: prompt_embeds, pooled_prompt_embeds and their negative_ forms. */
        DIFFUSERS
    }

    static String jsonArray(List<String> values) {
        com.fasterxml.jackson.databind.node.ArrayNode a = new com.fasterxml.jackson.databind.ObjectMapper().createArrayNode();
        values.forEach(a::add);
        return a.toString();
    }

    /** A text conditioning's tensors, named with {@code prefix} ("" or "negative_"). */
    static void add(SafetensorsWriter w, String prefix, TextConditioning c) {
        add(w, prefix, c, Outputs.Names.SDCOND);
    }

    /**
     * A text conditioning's tensors under a naming scheme: sdcond's ({@code hidden_states}, {@code pooled}) or
     * diffusers' pipeline arguments ({@code prompt_embeds}, {@code pooled_prompt_embeds}, and {@code negative_} ones).
     */
    static void add(SafetensorsWriter w, String prefix, TextConditioning c, Outputs.Names names) {
        boolean diffusers = names == Outputs.Names.DIFFUSERS;
        if (c.hiddenStates() != null) {
            w.add(prefix + (diffusers ? "prompt_embeds" : "hidden_states"), c.hiddenStates());
        }
        if (c.pooled() != null) {
            w.add(prefix + (diffusers ? "pooled_prompt_embeds" : "pooled"), c.pooled());
        }
        w.addLongs(prefix + "input_ids", new long[] {c.inputIds().length, c.inputIds()[0].length}, flat(c.inputIds()));
        w.addLongs(prefix + "attention_mask", new long[] {c.attentionMask().length, c.attentionMask()[0].length},
                flat(c.attentionMask()));
        checkFinite(prefix + "hidden_states", c.hiddenStates());
        checkFinite(prefix + "pooled", c.pooled());
    }

    /** NaN or Inf in an output is an error: nothing is written. */
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

    /** The embeddings the prompts use, as JSON (name, file, SHA-256), or null for none. */
    static String usedEmbeddings(dev.sdcond.conditioning.TextConditioner cond,
            dev.sdcond.conditioning.EncodeOptions options, List<String> prompts) {
        if (options.embeddings().all().isEmpty()) {
            return null;
        }
        var pt = cond.promptTokenizer(options);
        java.util.Map<String, dev.sdcond.conditioning.embeddings.Embedding> used = new java.util.TreeMap<>();
        for (String p : prompts) {
            if (p == null) {
                continue;
            }
            for (var chunk : pt.tokenize(p).chunks()) {
                for (var ref : chunk.vectors()) {
                    if (ref != null) {
                        used.put(ref.embedding().name(), ref.embedding());
                    }
                }
            }
        }
        if (used.isEmpty()) {
            return null;
        }
        var list = new com.fasterxml.jackson.databind.ObjectMapper().createArrayNode();
        used.values().forEach(e -> list.addObject().put("name", e.name()).put("file", e.file().toString())
                .put("sha256", dev.sdcond.models.io.InputFiles.sha256(e.file())));
        return list.toString();
    }
}
