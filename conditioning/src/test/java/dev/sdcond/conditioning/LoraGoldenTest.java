package dev.sdcond.conditioning;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sdcond.conditioning.prompt.PromptStyle;
import dev.sdcond.models.Compute;
import dev.sdcond.models.Goldens;
import dev.sdcond.models.InvalidInputException;
import dev.sdcond.models.lora.LoraFile;
import dev.sdcond.models.lora.LoraSource;
import dev.sdcond.models.lora.LoraSpec;
import dev.sdcond.models.safetensors.SafetensorsFile;
import dev.sdcond.models.safetensors.SafetensorsWriter;
import dev.sdcond.models.weights.ParameterSource;
import dev.sdcond.models.weights.PrefixedSource;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** LoRA-patched text encoders against ComfyUI's and A1111's own merges and conditioning (goldens/ti-lora). */
class LoraGoldenTest {
    private static final String DIR = "ti-lora/";

    @TempDir
    Path tmp;

    private static JsonNode reference() throws IOException {
        return new ObjectMapper().readTree(Goldens.path(DIR + "lora_reference.json").toFile());
    }

    private static Path loraOf(String run) {
        return Goldens.path(DIR + "loras/" + run.substring(0, run.indexOf('@')) + ".safetensors");
    }

    private static String towerOf(String encoder) {
        return encoder.equals("clip_l") ? "clip-tiny-a/model.safetensors" : "clip-text-tiny-b/model.safetensors";
    }

    @Test
    void mergedWeightsMatchComfyUI() throws IOException {
        int checked = 0;
        try (SafetensorsFile merged = SafetensorsFile.open(Goldens.path(DIR + "lora_merged.safetensors"));
                NDManager m = NDManager.newBaseManager()) {
            for (String key : merged.names()) {
                // <run>.s<strength>.<encoder>:<HF name>, the run being <file>@<family>
                String run = key.substring(0, key.indexOf(".s"));
                String rest = key.substring(run.length() + 2);
                int colon = rest.indexOf(':');
                String encoderAndStrength = rest.substring(0, colon);
                String encoder = encoderAndStrength.substring(encoderAndStrength.lastIndexOf('.') + 1);
                double strength = Double.parseDouble(encoderAndStrength.substring(0, encoderAndStrength.lastIndexOf('.')));
                String hfName = rest.substring(colon + 1);
                try (LoraFile lora = LoraFile.open(loraOf(run));
                        SafetensorsFile base = SafetensorsFile.open(Goldens.path(towerOf(encoder)))) {
                    ParameterSource patched = LoraSource.patch(PrefixedSource.of(base), encoder.equals("clip_l") ? 0 : 1,
                            List.of(new LoraSource.Applied(lora, strength)));
                    Goldens.assertClose(merged.load(key, m, DataType.FLOAT32), patched.load(hfName, m, DataType.FLOAT32),
                            1e-4f, key);
                    checked++;
                }
            }
        }
        assertEquals(96, checked, "merged weights in the goldens");
    }

    @Test
    void conditioningMatchesBothToolsAtBothStrengths() throws IOException {
        JsonNode runs = reference().get("runs");
        JsonNode prompts = reference().get("meta").get("prompts");
        int checked = 0;
        try (SafetensorsFile hidden = SafetensorsFile.open(Goldens.path(DIR + "lora_hidden.safetensors"));
                NDManager m = NDManager.newBaseManager()) {
            for (Iterator<Map.Entry<String, JsonNode>> it = runs.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> run = it.next();
                boolean sdxl = run.getValue().get("family").asText().equals("sdxl");
                for (Iterator<Map.Entry<String, JsonNode>> st = run.getValue().get("strengths").fields(); st.hasNext(); ) {
                    Map.Entry<String, JsonNode> s = st.next();
                    // A1111 ignores PEFT keys (a defect, README of the goldens): where it merged other weights than
                    // ComfyUI, only ComfyUI's result is what the LoRA intends
                    boolean toolsAgree = s.getValue().get("comfy_changed_weights").equals(
                            s.getValue().get("a1111_changed_weights"));
                    List<LoraSpec> loras = List.of(new LoraSpec(loraOf(run.getKey()), Double.parseDouble(s.getKey())));
                    try (LoadedTextModel model = open(sdxl, loras)) {
                        for (Iterator<Map.Entry<String, JsonNode>> h = s.getValue().get("hidden").fields(); h.hasNext(); ) {
                            Map.Entry<String, JsonNode> c = h.next();
                            String[] promptTool = c.getKey().split("\\.");
                            if (promptTool[1].equals("a1111") && !toolsAgree) {
                                continue;
                            }
                            PromptStyle style = promptTool[1].equals("a1111") ? PromptStyle.A1111 : PromptStyle.COMFY;
                            TextConditioning out = model.conditioner().encode(m, prompts.get(promptTool[0]).asText(), null,
                                    EncodeOptions.DEFAULT.withStyle(style)).positive();
                            String what = run.getKey() + " s" + s.getKey() + " " + c.getKey();
                            Goldens.assertClose(hidden.load(c.getValue().get("hidden").asText(), m, DataType.FLOAT32),
                                    out.hiddenStates().get(0), 1e-4f, what + " hidden");
                            if (sdxl && c.getValue().hasNonNull("pooled")) {
                                Goldens.assertClose(hidden.load(c.getValue().get("pooled").asText(), m, DataType.FLOAT32),
                                        out.pooled().get(0), 1e-4f, what + " pooled");
                            }
                            checked++;
                        }
                    }
                }
            }
        }
        assertTrue(checked >= 40, checked + " cases");
    }

    private static LoadedTextModel open(boolean sdxl, List<LoraSpec> loras) {
        List<String> specs = sdxl ? List.of(Goldens.path("clip-tiny-a").toString(), Goldens.path("clip-text-tiny-b")
                .toString()) : List.of(Goldens.path("clip-tiny-a").toString());
        return TextModels.open(specs, sdxl ? Preset.SDXL : Preset.SD15, Compute.CPU, loras);
    }

    @Test
    void severalLorasAddUpAndTheMetadataRecordsThem() throws IOException {
        List<LoraSpec> two = List.of(new LoraSpec(loraOf("sd1_kohya_alpha@sd1"), 0.6),
                new LoraSpec(loraOf("sd1_peft@sd1"), 1.0));
        try (LoadedTextModel model = open(false, two);
                LoraFile a = LoraFile.open(loraOf("sd1_kohya_alpha@sd1"));
                LoraFile b = LoraFile.open(loraOf("sd1_peft@sd1"));
                SafetensorsFile base = SafetensorsFile.open(Goldens.path("clip-tiny-a/model.safetensors"));
                NDManager m = NDManager.newBaseManager()) {
            String w = "text_model.encoder.layers.1.mlp.fc2.weight";
            NDArray both = LoraSource.patch(PrefixedSource.of(base), 0, List.of(new LoraSource.Applied(a, 0.6),
                    new LoraSource.Applied(b, 1.0))).load(w, m, DataType.FLOAT32);
            NDArray w0 = base.load(w, m, DataType.FLOAT32);
            NDArray da = LoraSource.patch(PrefixedSource.of(base), 0, List.of(new LoraSource.Applied(a, 0.6)))
                    .load(w, m, DataType.FLOAT32).sub(w0);
            NDArray db = LoraSource.patch(PrefixedSource.of(base), 0, List.of(new LoraSource.Applied(b, 1.0)))
                    .load(w, m, DataType.FLOAT32).sub(w0);
            Goldens.assertClose(w0.add(da).add(db), both, 1e-5f, "two LoRAs add up");
            JsonNode recorded = new ObjectMapper().readTree(model.metadata().get("loras"));
            assertEquals(2, recorded.size());
            assertEquals(0.6, recorded.get(0).get("strength").asDouble());
            assertEquals(24, recorded.get(0).get("text_modules_merged").asInt());
            assertEquals(2, recorded.get(0).get("unet_modules_ignored").asInt());
            assertEquals(64, recorded.get(1).get("sha256").asText().length());
            assertTrue(model.warnings().isEmpty(), model.warnings().toString());
        }
    }

    @Test
    void sdxlKeysOnSd1AreReportedAndOtherAdaptersRefused() throws IOException {
        // lora_te2_ (bigG) modules have no encoder on SD1: applied to nothing, and said so
        try (LoadedTextModel model = open(false, List.of(new LoraSpec(loraOf("sdxl_kohya_alpha@sdxl"), 1.0)))) {
            assertEquals(1, model.warnings().size(), model.warnings().toString());
            assertTrue(model.warnings().get(0).contains("lora_te2_text_model_encoder_layers_0"), model.warnings().get(0));
        }
        for (String[] c : new String[][] {{"lora_te_text_model_encoder_layers_0_mlp_fc1.hada_w1_a", "LoHa"},
            {"lora_te_text_model_encoder_layers_0_mlp_fc1.lokr_w1", "LoKr"},
            {"lora_te_text_model_encoder_layers_0_mlp_fc1.dora_scale", "DoRA"}}) {
            Path f = tmp.resolve(c[1] + ".safetensors");
            new SafetensorsWriter().addFloats(c[0], new long[] {2}, new float[2]).write(f, true);
            InvalidInputException e = assertThrows(InvalidInputException.class, () -> LoraFile.open(f));
            assertTrue(e.getMessage().contains(c[1]), e.getMessage());
        }
        Path pickle = tmp.resolve("lora.pt");
        Files.write(pickle, new byte[] {(byte) 0x80, 2, '}', '.'});
        assertThrows(InvalidInputException.class, () -> LoraFile.open(pickle));
    }

    @Test
    void openClipTowersTakeTheSameKeysOnTheirFusedWeights() throws IOException {
        // clip-text-tiny-b in the OpenCLIP layout (fused in_proj): bigG's kohya modules land on its q/k/v row blocks
        Path oc = tmp.resolve("oc.safetensors");
        SafetensorsWriter w = new SafetensorsWriter();
        try (SafetensorsFile f = SafetensorsFile.open(Goldens.path("clip-text-tiny-b/model.safetensors"));
                NDManager m = NDManager.newBaseManager()) {
            for (int i = 0; i < 5; i++) {
                String h = "text_model.encoder.layers." + i + ".self_attn.";
                String o = "transformer.resblocks." + i + ".attn.in_proj_";
                for (String wb : new String[] {"weight", "bias"}) {
                    w.add(o + wb, f.load(h + "q_proj." + wb, m, DataType.FLOAT32).concat(f.load(h + "k_proj." + wb, m,
                            DataType.FLOAT32), 0).concat(f.load(h + "v_proj." + wb, m, DataType.FLOAT32), 0));
                }
            }
            w.write(oc, false);
        }
        try (LoraFile lora = LoraFile.open(loraOf("sdxl_kohya_alpha@sdxl"));
                SafetensorsFile file = SafetensorsFile.open(oc);
                SafetensorsFile merged = SafetensorsFile.open(Goldens.path(DIR + "lora_merged.safetensors"));
                NDManager m = NDManager.newBaseManager()) {
            ParameterSource patched = LoraSource.patch(new dev.sdcond.models.weights.OpenClipSource(file, ""), 1,
                    List.of(new LoraSource.Applied(lora, 0.6)));
            NDArray fused = patched.load("text_model.encoder.layers.0.self_attn.in_proj_weight", m, DataType.FLOAT32);
            String g = "sdxl_kohya_alpha@sdxl.s0.6.clip_g:text_model.encoder.layers.0.self_attn.";
            NDArray expected = merged.load(g + "q_proj.weight", m, DataType.FLOAT32)
                    .concat(merged.load(g + "k_proj.weight", m, DataType.FLOAT32), 0)
                    .concat(merged.load(g + "v_proj.weight", m, DataType.FLOAT32), 0);
            Goldens.assertClose(expected, fused, 1e-4f, "fused in_proj with the q/k/v LoRA modules");
        }
    }

    @Test
    void aLoraForOtherShapesFailsFromItsHeaderBeforeAnyProduct() throws IOException {
        // up [100000, 4] x down [4, 32] would be a 12.8 MB product for a [64, 32] weight: refused before it is made
        Path f = tmp.resolve("wide.safetensors");
        new SafetensorsWriter()
                .addFloats("lora_te_text_model_encoder_layers_0_mlp_fc1.lora_down.weight", new long[] {4, 32}, new float[128])
                .addFloats("lora_te_text_model_encoder_layers_0_mlp_fc1.lora_up.weight", new long[] {100_000, 4},
                        new float[400_000])
                .write(f, false);
        var e = assertThrows(dev.sdcond.models.ModelMismatchException.class,
                () -> open(false, List.of(new LoraSpec(f, 1.0))).close());
        assertTrue(e.getMessage().contains("wide.safetensors") && e.getMessage().contains("[100000, 32]"),
                e.getMessage());
        // a rank over min(out, in) is no low-rank update
        Path r = tmp.resolve("rank.safetensors");
        new SafetensorsWriter()
                .addFloats("lora_te_text_model_encoder_layers_0_mlp_fc1.lora_down.weight", new long[] {40, 32},
                        new float[1280])
                .addFloats("lora_te_text_model_encoder_layers_0_mlp_fc1.lora_up.weight", new long[] {64, 40},
                        new float[2560])
                .write(r, false);
        assertThrows(InvalidInputException.class, () -> LoraFile.open(r));
    }
}
