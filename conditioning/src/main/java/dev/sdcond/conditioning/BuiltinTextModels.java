package dev.sdcond.conditioning;

import dev.sdcond.conditioning.tokenizer.ClipTokenizer;
import dev.sdcond.models.Compute;
import dev.sdcond.models.config.CLIPTextConfig;
import dev.sdcond.models.clip.ClipTextModel;
import dev.sdcond.models.layout.TowerKind;
import dev.sdcond.models.lora.LoraSource;
import dev.sdcond.models.registry.Builtin;
import dev.sdcond.models.registry.ClipFamily;
import dev.sdcond.models.weights.RandomParameters;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** The builtin text models: the real architectures with seeded random weights and the bundled tokenizer. */
final class BuiltinTextModels {
    private BuiltinTextModels() {
    }

    /**
     * Loads a builtin model.
     *
     * @param spec {@code builtin:NAME}
     * @param preset the preset, or empty for the model's own
     * @param compute device, dtype and kernels
     * @param resources where what must be closed is added
     * @param loras the LoRAs to merge
     * @return the model
     */
    static LoadedTextModel open(String spec, Optional<Preset> preset, Compute compute, List<AutoCloseable> resources,
            List<LoraSource.Applied> loras) {
        Builtin b = Builtin.parse(spec, TowerKind.TEXT);
        Preset p = Preset.parse(b.preset());
        List<CLIPTextConfig> configs = b.towers().stream().map(ClipFamily::textConfig).toList();
        Preset use = preset.orElse(p);
        ClipTokenizer tok = ClipTokenizer.bundled();
        resources.add(tok);
        List<TextEncoder> encoders = new ArrayList<>();
        for (int i = 0; i < configs.size(); i++) {
            CLIPTextConfig c = configs.get(i);
            Map<String, long[]> optional = new LinkedHashMap<>();
            optional.put("text_projection.weight", new long[] {c.projectionDim(), c.hiddenSize()});
            ClipTextModel tower = ClipTextModel.load(
                    LoraSource.patch(new RandomParameters(Builtin.SEED + i, optional), i, loras), c, compute);
            resources.add(tower);
            encoders.add(new TextEncoder(tower, tok, 0, 0));
        }
        Optional<T5Encoder> t5 = Optional.empty();
        if (b.t5().isPresent() && use.takesT5()) { // random T5, kept in bfloat16
            dev.sdcond.conditioning.tokenizer.T5Tokenizer t5tok = dev.sdcond.conditioning.tokenizer.T5Tokenizer.standIn();
            resources.add(t5tok);
            dev.sdcond.models.t5.T5EncoderModel model = dev.sdcond.models.t5.T5EncoderModel.load(new RandomParameters(
                    Builtin.SEED + configs.size(), Map.of()), b.t5().get().config(), compute);
            resources.add(model);
            t5 = Optional.of(new T5Encoder(model, t5tok, use.defaultT5Length()));
        }
        return new LoadedTextModel(new TextConditioner(use, TextModels.bind(use, encoders), t5),
                spec + " (random weights, seed " + Builtin.SEED + ")", List.of(), Map.of("random_weights", "true"), List.of(),
                resources);
    }
}
