package dev.sdcond.conditioning;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sdcond.conditioning.embeddings.EmbeddingStore;
import dev.sdcond.conditioning.prompt.Chunk;
import dev.sdcond.conditioning.prompt.PromptStyle;
import dev.sdcond.conditioning.prompt.TokenizedPrompt;
import dev.sdcond.models.Compute;
import dev.sdcond.models.Goldens;
import dev.sdcond.models.safetensors.SafetensorsFile;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Textual-inversion embeddings against A1111's and ComfyUI's own conditioning (goldens/ti-lora, 1e-4). */
class TextualInversionGoldenTest {
    /** Where a tool's result is a defect we do not copy (the goldens' README): checked on its own below. */
    private static final List<String> DEFECTS = List.of("comma_backtrack.a1111");

    private static LoadedTextModel sd1;
    private static LoadedTextModel sdxl;
    /** clip-tiny-a's pooler output (final LN at the EOS, unprojected): ComfyUI's SD1.x pooled vector. */
    private static LoadedTextModel sd1Pooled;
    private static EmbeddingStore store;

    @BeforeAll
    static void load() {
        sd1 = TextModels.open(List.of(Goldens.path("clip-tiny-a").toString()), Preset.SD15, Compute.CPU);
        sdxl = TextModels.open(List.of(Goldens.path("clip-tiny-a").toString(),
                Goldens.path("clip-text-tiny-b").toString()), Preset.SDXL, Compute.CPU);
        sd1Pooled = TextModels.open(List.of(Goldens.path("clip-tiny-a").toString()), Preset.FLUX, Compute.CPU);
        store = EmbeddingStore.of(List.of(Goldens.path("ti-lora/embeddings")));
    }

    @AfterAll
    static void close() {
        sd1.close();
        sdxl.close();
        sd1Pooled.close();
    }

    private static JsonNode cases() throws IOException {
        return new ObjectMapper().readTree(Goldens.path("ti-lora/ti_reference.json").toFile()).get("cases");
    }

    private static long[] longs(JsonNode a) {
        long[] out = new long[a.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = a.get(i).asLong();
        }
        return out;
    }

    @Test
    void everyCaseMatchesItsTool() throws IOException {
        List<String> failures = new ArrayList<>();
        int checked = 0;
        try (SafetensorsFile hidden = SafetensorsFile.open(Goldens.path("ti-lora/ti_hidden.safetensors"));
                NDManager m = NDManager.newBaseManager()) {
            for (Iterator<Map.Entry<String, JsonNode>> it = cases().fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> c = it.next();
                boolean xl = c.getValue().get("family").asText().equals("sdxl");
                for (String tool : new String[] {"a1111", "comfy"}) {
                    String id = c.getKey() + "." + tool;
                    if (DEFECTS.contains(id)) {
                        continue;
                    }
                    JsonNode t = c.getValue().get(tool);
                    PromptStyle style = tool.equals("a1111") ? PromptStyle.A1111 : PromptStyle.COMFY;
                    EncodeOptions options = EncodeOptions.DEFAULT.withStyle(style).withEmbeddings(store);
                    LoadedTextModel model = xl ? sdxl : sd1;
                    TextConditioning out = model.conditioner().encode(m, t.get("prompt").asText(), null, options)
                            .positive();
                    if (t.has("dropped_width_mismatch") && t.get("dropped_width_mismatch").size() > 0
                            && out.warnings().get(0).stream().noneMatch(w -> w.message().contains("left out"))) {
                        failures.add(id + ": no warning for the vectors bigG cannot take");
                    }
                    NDArray expected = hidden.load(t.get("hidden").asText(), m, DataType.FLOAT32);
                    NDArray actual = out.hiddenStates().get(0);
                    if (!expected.getShape().equals(actual.getShape())) {
                        failures.add(id + ": shape " + actual.getShape() + " vs " + expected.getShape());
                        continue;
                    }
                    float err = expected.sub(actual).abs().max().getFloat();
                    if (err > 1e-4f) {
                        failures.add(id + ": hidden max error " + err);
                    }
                    if (t.hasNonNull("pooled")) {
                        // pooling lands on the EOS row, never on an embedding's position
                        NDArray pooled = xl ? out.pooled().get(0) : sd1Pooled.conditioner().encode(m,
                                t.get("prompt").asText(), null, options).positive().pooled().get(0);
                        float perr = hidden.load(t.get("pooled").asText(), m, DataType.FLOAT32)
                                .sub(pooled).abs().max().getFloat();
                        if (perr > 1e-4f) {
                            failures.add(id + ": pooled max error " + perr);
                        }
                    }
                    checked++;
                }
            }
        }
        assertTrue(failures.isEmpty(), checked + " checked; " + failures);
        assertTrue(checked >= 38, checked + " cases");
    }

    @Test
    void a1111sCommaBacktrackMovesTheVectorsWithTheirPlaces() throws IOException {
        // A1111 moves the placeholders to chunk 2 but leaves their vectors at the old offsets in chunk 1 (a defect);
        // the ids it writes show where the vectors belong
        JsonNode t = cases().get("comma_backtrack").get("a1111");
        var pt = sd1.conditioner().promptTokenizer(EncodeOptions.DEFAULT.withEmbeddings(store));
        TokenizedPrompt tp = pt.tokenize(t.get("prompt").asText());
        assertEquals(t.get("chunks").size(), tp.chunks().size());
        for (int c = 0; c < tp.chunks().size(); c++) {
            Chunk chunk = tp.chunks().get(c);
            assertArrayEquals(longs(t.get("chunks").get(c).get("ids")), chunk.ids77(49407), "chunk " + c + " ids");
            Chunk.VectorRef[] v = chunk.vectors();
            for (int i = 0; i < v.length; i++) {
                assertEquals(chunk.tokens()[i] == 0, v[i] != null, "chunk " + c + " position " + (i + 1));
            }
        }
    }
}
