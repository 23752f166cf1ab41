package dev.sdcond.conditioning;

import dev.sdcond.conditioning.embeddings.Embedding;
import dev.sdcond.models.Compute;
import dev.sdcond.models.safetensors.Provenance;
import dev.sdcond.models.io.InputFiles;
import dev.sdcond.models.safetensors.SafetensorsWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * A text output as the README describes it: the tensors (checked to be finite), the ids and masks, and the metadata
 * that says how it was made (toolkit version, model and the SHA-256 of the weights read, preset, layers, dtype,
 * device, prompt style, chunk limit, the prompts, LoRAs and the embeddings the prompts used).
 */
public final class TextOutputs {
    private TextOutputs() {}

    /**
     * One prompt of a batch.
     *
     * @param prompt the prompt as given (recorded in the metadata)
     * @param encoded the text that was encoded (A1111's {@code <lora:...>} tags removed; usually the prompt)
     * @param negative the negative prompt, or null for none
     */
    public record Prompt(String prompt, String encoded, String negative) {
        /**
         * A prompt encoded as given.
         *
         * @param prompt the prompt
         * @param negative the negative prompt, or null
         */
        public Prompt(String prompt, String negative) {
            this(prompt, prompt, negative);
        }
    }

    /**
     * The output's settings.
     *
     * @param compute where the model ran
     * @param options the prompt handling
     * @param names the tensor names
     * @param weightsSha256 the provenance hash ({@link LoadedTextModel#weightsSha256()}), or
     *     {@link Provenance#NOT_COMPUTED}
     */
    public record Settings(Compute compute, EncodeOptions options, OutputNames names, String weightsSha256) {}

    /**
     * The output of one encoded batch, ready to write ({@link SafetensorsWriter#write} or {@code writeNpy}).
     *
     * @param model the model that encoded it
     * @param s the settings
     * @param batch the prompts, in the result's order
     * @param r what {@link TextConditioner#encode} returned for them
     * @return the output
     * @throws dev.sdcond.models.NumericalException when a tensor holds NaN or Inf
     */
    public static SafetensorsWriter of(LoadedTextModel model, Settings s, List<Prompt> batch,
            TextConditioner.Result r) {
        SafetensorsWriter w = metadata(model, s, batch);
        add(w, false, r.positive(), s.names());
        if (r.negative() != null) {
            add(w, true, r.negative(), s.names());
        }
        model.conditioner().t5().ifPresent(t5 -> { // Flux's text_ids: zeros [L, 3], as diffusers makes them
            if (model.conditioner().preset() == Preset.FLUX) {
                long n = r.positive().hiddenStates().getShape().get(1);
                w.addFloats("text_ids", new long[] {n, 3}, new float[(int) n * 3]);
                long neg = r.negative() == null ? n : r.negative().hiddenStates().getShape().get(1);
                if (neg != n) { // ComfyUI's lengths: the negative's T5 tokens are another number
                    w.addFloats("negative_text_ids", new long[] {neg, 3}, new float[(int) neg * 3]);
                }
            }
            if (s.options().style() == dev.sdcond.conditioning.prompt.PromptStyle.COMFY) {
                w.metadata("t5_min_length", String.valueOf(model.conditioner().preset().comfyT5MinimumLength()));
            } else {
                w.metadata("t5_max_sequence_length", String.valueOf(t5.length()));
            }
        });
        return w;
    }

    private static void add(SafetensorsWriter w, boolean negative, TextConditioning c, OutputNames names) {
        String prefix = negative ? "negative_" : "";
        Provenance.addFinite(w, names.hiddenStates(negative), c.hiddenStates());
        Provenance.addFinite(w, names.pooled(negative), c.pooled());
        w.addLongs(prefix + "input_ids", new long[] {c.inputIds().length, c.inputIds()[0].length}, flat(c.inputIds()));
        w.addLongs(prefix + "attention_mask", new long[] {c.attentionMask().length, c.attentionMask()[0].length},
                flat(c.attentionMask()));
        if (c.t5InputIds() != null) { // Flux and SD3: the ids T5 encoded
            long[] shape = {c.t5InputIds().length, c.t5InputIds()[0].length};
            w.addLongs(prefix + "t5_input_ids", shape, flat(c.t5InputIds()));
            w.addLongs(prefix + "t5_attention_mask", shape, flat(c.t5AttentionMask()));
        }
    }

    private static SafetensorsWriter metadata(LoadedTextModel model, Settings s, List<Prompt> batch) {
        TextConditioner cond = model.conditioner();
        EncodeOptions options = s.options();
        SafetensorsWriter w = new SafetensorsWriter();
        w.metadata("sdcond.version", Provenance.VERSION);
        w.metadata("model", model.description());
        Provenance.record(w, s.weightsSha256(), model.tensorsRead());
        w.metadata("preset", cond.preset().name());
        List<String> layers = new ArrayList<>();
        for (Preset.EncoderSlot slot : cond.preset().encoders()) {
            LayerSelection e = options.layer().orElse(slot.layer());
            layers.add(slot.role() + ": layer " + e.index() + ", final_norm " + e.finalNorm());
        }
        w.metadata("layer", String.join("; ", layers));
        w.metadata("final_norm", String.valueOf(options.layer().orElse(cond.preset().encoders().get(0).layer())
                .finalNorm()));
        w.metadata("dtype", s.compute().precision().toString());
        w.metadata("device", s.compute().deviceName());
        List<String> kernels = new ArrayList<>();
        for (int e = 0; e < cond.encoders().size(); e++) {
            kernels.add(cond.preset().encoders().get(e).role() + ": " + cond.encoders().get(e).tower().kernels());
        }
        w.metadata("kernels", String.join(" | ", kernels));
        w.metadata("prompt_style", options.style().name().toLowerCase(Locale.ROOT));
        w.metadata("max_chunks", String.valueOf(options.chunkLimit().cut()));
        if (batch.size() == 1) {
            w.metadata("prompt", batch.get(0).prompt());
            if (batch.get(0).negative() != null) {
                w.metadata("negative_prompt", batch.get(0).negative());
            }
        } else {
            w.metadata("prompts", Provenance.jsonArray(batch.stream().map(Prompt::prompt).toList()));
            if (batch.stream().anyMatch(p -> p.negative() != null)) {
                w.metadata("negative_prompts", Provenance.jsonArray(batch.stream().map(Prompt::negative).toList()));
            }
        }
        model.metadata().forEach(w::metadata);
        String used = usedEmbeddings(cond, options, batch.stream()
                .flatMap(p -> java.util.stream.Stream.of(p.encoded(), p.negative())).filter(Objects::nonNull).toList());
        if (used != null) {
            w.metadata("embeddings", used);
        }
        return w;
    }

    /** The embeddings the texts use, as JSON (name, file, SHA-256), or null for none. */
    private static String usedEmbeddings(TextConditioner cond, EncodeOptions options, List<String> texts) {
        if (options.embeddings().all().isEmpty()) {
            return null;
        }
        var pt = cond.promptTokenizer(options);
        Map<String, Embedding> used = new TreeMap<>();
        for (String p : texts) {
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
                .put("sha256", InputFiles.sha256(e.file())));
        return list.toString();
    }

    private static long[] flat(long[][] a) {
        long[] out = new long[a.length * a[0].length];
        for (int i = 0; i < a.length; i++) {
            System.arraycopy(a[i], 0, out, i * a[0].length, a[0].length);
        }
        return out;
    }
}
