package dev.sdcond.spark;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.sdcond.conditioning.EncodeOptions;
import dev.sdcond.conditioning.LoadedTextModel;
import dev.sdcond.conditioning.PreparedPrompt;
import dev.sdcond.conditioning.TextConditioner;
import dev.sdcond.conditioning.TextRequest;
import dev.sdcond.conditioning.prompt.PromptTokenizer;
import dev.sdcond.models.SdcondException;
import dev.sdcond.models.lora.LoraSpec;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.api.java.function.MapPartitionsFunction;
import org.apache.spark.sql.Row;

/**
 * One partition's rows, encoded in batches of up to {@code batchSize} rows: rows whose prompts name the same LoRAs
 * (the request's and, with style a1111, their {@code <lora:...>} tags) and take the same number of 77-token chunks
 * share a forward pass (so no row is padded with another's chunks, and each row's tensors are those
 * it would get alone), and a row whose prompt is refused (strict syntax, no prompt, a non-finite result) keeps its
 * input with null tensors and the message in {@code error}. Each output row is the input row followed by the tensors,
 * {@code dtype} and {@code error}.
 */
final class TextPartition implements MapPartitionsFunction<Row, Row> {
    private final TextRequest request;
    private final TensorColumns columns;
    private final int promptIndex;
    private final int negativeIndex;
    private final int batchSize;
    private final int idIndex;
    private final NpzItems npz;

    TextPartition(TextRequest request, TensorColumns columns, int promptIndex, int negativeIndex, int batchSize,
            int idIndex, NpzItems npz) {
        this.idIndex = idIndex;
        this.npz = npz;
        this.request = request;
        this.columns = columns;
        this.promptIndex = promptIndex;
        this.negativeIndex = negativeIndex;
        this.batchSize = batchSize;
    }

    @Override
    public Iterator<Row> call(Iterator<Row> input) {
        ai.djl.Device device = TaskDevices.current();
        Map<LoadedTextModel, EncodeOptions> options = new HashMap<>(); // embeddings read once per model
        return new Batches(input, batchSize, rows -> encode(device, options, rows));
    }

    /** A batch of rows: prepared (tags, syntax), then per set of LoRAs and number of chunks one forward pass. */
    private List<Row> encode(ai.djl.Device device, Map<LoadedTextModel, EncodeOptions> optionsByModel,
            List<Row> rows) {
        Row[] out = new Row[rows.size()];
        PreparedPrompt[] prepared = new PreparedPrompt[rows.size()];
        Map<List<LoraSpec>, List<Integer>> bySet = new LinkedHashMap<>();
        for (int i = 0; i < rows.size(); i++) {
            try {
                Row r = rows.get(i);
                prepared[i] = PromptCheck.prepared(request, r.isNullAt(promptIndex) ? null : r.getString(promptIndex),
                        negativeIndex < 0 || r.isNullAt(negativeIndex) ? null : r.getString(negativeIndex));
                bySet.computeIfAbsent(prepared[i].loras(), x -> new ArrayList<>()).add(i);
            } catch (SdcondException e) {
                out[i] = columns.row(rows.get(i), null, e.getMessage());
            }
        }
        for (Map.Entry<List<LoraSpec>, List<Integer>> set : bySet.entrySet()) {
            LoadedTextModel model;
            EncodeOptions options;
            try {
                model = ExecutorModels.text(request, set.getKey(), device);
                options = optionsByModel.computeIfAbsent(model,
                        m -> request.encodeOptions(m.conditioner().preset()));
            } catch (SdcondException e) { // a LoRA a tag names cannot be loaded: those rows fail
                set.getValue().forEach(i -> out[i] = columns.row(rows.get(i), null, e.getMessage()));
                continue;
            }
            encodeSet(model.conditioner(), options, rows, prepared, set.getValue(), out);
        }
        return List.of(out);
    }

    private void encodeSet(TextConditioner c, EncodeOptions options, List<Row> rows, PreparedPrompt[] prepared,
            List<Integer> set, Row[] out) {
        PromptTokenizer pt = c.promptTokenizer(options);
        Map<Integer, List<Integer>> byChunks = new LinkedHashMap<>();
        for (int i : set) {
            try {
                int k = chunks(pt, prepared[i].text(), options);
                if (prepared[i].negative() != null) {
                    k = Math.max(k, chunks(pt, prepared[i].negative(), options));
                }
                byChunks.computeIfAbsent(k, x -> new ArrayList<>()).add(i);
            } catch (SdcondException e) {
                out[i] = columns.row(rows.get(i), null, e.getMessage());
            }
        }
        for (List<Integer> group : byChunks.values()) {
            try {
                encodeGroup(c, options, rows, prepared, group, out);
            } catch (SdcondException e) { // a row of its own then, so that only a failing row fails
                for (int i : group) {
                    try {
                        encodeGroup(c, options, rows, prepared, List.of(i), out);
                    } catch (SdcondException alone) {
                        out[i] = columns.row(rows.get(i), null, alone.getMessage());
                    }
                }
            }
        }
    }

    private void encodeGroup(TextConditioner c, EncodeOptions options, List<Row> rows, PreparedPrompt[] prepared,
            List<Integer> group, Row[] out) {
        List<String> prompts = new ArrayList<>();
        List<String> negatives = negativeIndex < 0 ? null : new ArrayList<>();
        for (int i : group) {
            prompts.add(prepared[i].text());
            if (negatives != null) {
                negatives.add(prepared[i].negative());
            }
        }
        try (NDManager m = NDManager.newBaseManager()) {
            TextConditioner.Result r = c.encode(m, prompts, negatives, options);
            List<NDArray> batch = new ArrayList<>(); // null entries: tensors the preset has not
            batch.add(r.positive().hiddenStates());
            batch.add(r.positive().pooled());
            if (negatives != null) {
                batch.add(r.negative().hiddenStates());
                batch.add(r.negative().pooled());
            }
            List<List<Object>> values = columns.perRow(batch, group.size());
            for (int j = 0; j < group.size(); j++) {
                Row in = rows.get(group.get(j));
                if (values.get(j) == null) {
                    out[group.get(j)] = columns.row(in, null, "the encoder gave NaN or Inf for this prompt");
                    continue;
                }
                if (npz != null) {
                    NDArray[] tensors = new NDArray[batch.size()];
                    for (int t = 0; t < tensors.length; t++) {
                        tensors[t] = batch.get(t) == null ? null : batch.get(t).get(j);
                    }
                    npz.write(in.isNullAt(idIndex) ? null : String.valueOf(in.get(idIndex)),
                            npz.entries(columns.names(), tensors, c.preset() == dev.sdcond.conditioning.Preset.SDXL,
                                    c.encoders().get(0).tower().width()));
                }
                out[group.get(j)] = columns.row(in, values.get(j), null);
            }
        }
    }

    private static int chunks(PromptTokenizer pt, String text, EncodeOptions options) {
        return pt.tokenize(text, options.chunkLimit()).chunks().size();
    }
}
