package dev.sdcond.conditioning;

import dev.sdcond.conditioning.prompt.ChunkLimit;
import dev.sdcond.conditioning.prompt.PromptStyle;
import dev.sdcond.models.AttentionKernel;
import dev.sdcond.models.LinearKernel;
import dev.sdcond.models.Precision;
import dev.sdcond.models.lora.LoraSpec;
import java.io.Serializable;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Optional;

/** A {@link TextRequest} as serializable words (paths are not serializable); read back through the builder. */
final class TextRequestForm implements Serializable {
    private static final long serialVersionUID = 2L;
    private final String[] models;
    private final String preset;
    private final String style;
    private final String syntax;
    private final int commaBacktrack;
    private final String chunkLimit;
    private final String layer;
    private final String zeroEmptyNegative;
    private final String[] loraFiles;
    private final double[] loraStrengths;
    private final String[] loraDirs;
    private final String[] embeddingDirs;
    private final String names;
    private final int t5Length;
    private final String dtype;
    private final String attention;
    private final String linear;

    TextRequestForm(TextRequest r) {
        models = r.models().toArray(String[]::new);
        preset = r.preset().map(Preset::name).orElse(null);
        style = r.style().name();
        syntax = r.syntax().name();
        commaBacktrack = r.commaBacktrack();
        chunkLimit = r.chunkLimit().words();
        layer = layerWords(r.layer());
        zeroEmptyNegative = r.zeroEmptyNegative().map(String::valueOf).orElse(null);
        loraFiles = r.loras().stream().map(l -> l.file().toString()).toArray(String[]::new);
        loraStrengths = r.loras().stream().mapToDouble(LoraSpec::strength).toArray();
        loraDirs = r.loraDirs().stream().map(Path::toString).toArray(String[]::new);
        embeddingDirs = r.embeddingDirs().stream().map(Path::toString).toArray(String[]::new);
        names = r.names().name();
        t5Length = r.t5Length().orElse(0);
        dtype = r.dtype().name();
        attention = r.attention().name();
        linear = r.linear().name();
    }

    /** {@code preset}, {@code index:[I][:NORM]} or {@code clip-skip:V:CONVENTION|preset[:NORM]}. */
    static String layerWords(LayerChoice l) {
        if (l instanceof LayerChoice.Index i) {
            return "index:" + (i.index().isPresent() ? String.valueOf(i.index().getAsInt()) : "")
                    + i.finalNorm().map(n -> ":" + n).orElse("");
        }
        if (l instanceof LayerChoice.ClipSkip c) {
            return "clip-skip:" + c.value() + ":" + c.convention().map(v -> v.name().toLowerCase(Locale.ROOT))
                    .orElse("preset")
                    + c.finalNorm().map(n -> ":" + n).orElse("");
        }
        return "preset";
    }

    private static LayerChoice layer(String words) {
        String[] w = words.split(":", -1);
        return switch (w[0]) {
            case "index" -> new LayerChoice.Index(w.length > 1 && !w[1].isEmpty()
                    ? java.util.OptionalInt.of(Integer.parseInt(w[1])) : java.util.OptionalInt.empty(),
                    w.length > 2 ? Optional.of(Boolean.parseBoolean(w[2])) : Optional.empty());
            case "clip-skip" -> new LayerChoice.ClipSkip(Integer.parseInt(w[1]), w[2].equals("preset")
                    ? Optional.empty() : Optional.of(ClipSkipConvention.valueOf(w[2].toUpperCase(Locale.ROOT))),
                    w.length > 3 ? Optional.of(Boolean.parseBoolean(w[3])) : Optional.empty());
            default -> LayerChoice.PRESET;
        };
    }

    private Object readResolve() {
        TextRequestBuilder b = TextRequest.builder().setModels(models).optStyle(PromptStyle.valueOf(style))
                .optSyntax(SyntaxMode.valueOf(syntax)).optCommaBacktrack(commaBacktrack).optChunkLimit(ChunkLimit.parse(chunkLimit))
                .optLayer(layer(layer)).optNames(OutputNames.valueOf(names)).optDtype(Precision.valueOf(dtype))
                .optAttention(AttentionKernel.valueOf(attention)).optLinear(LinearKernel.valueOf(linear));
        if (preset != null) {
            b.optPreset(Preset.parse(preset));
        }
        if (zeroEmptyNegative != null) {
            b.optZeroEmptyNegative(Boolean.parseBoolean(zeroEmptyNegative));
        }
        for (int i = 0; i < loraFiles.length; i++) {
            b.addLora(new LoraSpec(Path.of(loraFiles[i]), loraStrengths[i]));
        }
        for (String d : loraDirs) {
            b.addLoraDir(Path.of(d));
        }
        for (String d : embeddingDirs) {
            b.addEmbeddingDir(Path.of(d));
        }
        if (t5Length > 0) {
            b.optT5Length(t5Length);
        }
        return b.build();
    }
}
