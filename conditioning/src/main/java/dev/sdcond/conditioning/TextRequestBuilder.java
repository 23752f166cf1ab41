package dev.sdcond.conditioning;

import dev.sdcond.conditioning.prompt.ChunkLimit;
import dev.sdcond.conditioning.prompt.PromptStyle;
import dev.sdcond.models.AttentionKernel;
import dev.sdcond.models.LinearKernel;
import dev.sdcond.models.Precision;
import dev.sdcond.models.lora.LoraSpec;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * Builds a {@link TextRequest} in the style of DJL's {@code Criteria}: {@code set*} for what is required (the
 * model), {@code opt*} for what has a default. {@link #build()} validates.
 *
 * <pre>{@code
 * TextRequest r = TextRequest.builder().setModels("/models/sdxl").optStyle(PromptStyle.COMFY)
 *         .optLayer(new LayerChoice.ClipSkip(2, ClipSkipConvention.A1111, Optional.empty())).build();
 * }</pre>
 */
public final class TextRequestBuilder {
    private List<String> models = List.of();
    private Optional<Preset> preset = Optional.empty();
    private PromptStyle style = PromptStyle.A1111;
    private SyntaxMode syntax = SyntaxMode.TOLERANT;
    private int commaBacktrack = 20;
    private ChunkLimit chunkLimit = ChunkLimit.DEFAULT;
    private LayerChoice layer = LayerChoice.PRESET;
    private Optional<Boolean> zeroEmptyNegative = Optional.empty();
    private List<LoraSpec> loras = new ArrayList<>();
    private List<Path> loraDirs = new ArrayList<>();
    private List<Path> embeddingDirs = new ArrayList<>();
    private OutputNames names = OutputNames.SDCOND;
    private OptionalInt t5Length = OptionalInt.empty();
    private Precision dtype = Precision.FLOAT32;
    private AttentionKernel attention = AttentionKernel.FUSED;
    private LinearKernel linear = LinearKernel.AUTO;

    TextRequestBuilder() {}

    TextRequestBuilder(TextRequest r) {
        models = r.models();
        preset = r.preset();
        style = r.style();
        syntax = r.syntax();
        commaBacktrack = r.commaBacktrack();
        chunkLimit = r.chunkLimit();
        layer = r.layer();
        zeroEmptyNegative = r.zeroEmptyNegative();
        loras = new ArrayList<>(r.loras());
        loraDirs = new ArrayList<>(r.loraDirs());
        embeddingDirs = new ArrayList<>(r.embeddingDirs());
        names = r.names();
        t5Length = r.t5Length();
        dtype = r.dtype();
        attention = r.attention();
        linear = r.linear();
    }

    /**
     * The model: one spec, or one per encoder (SDXL: CLIP-L, then bigG).
     *
     * @param specs folders, files or {@code builtin:NAME}
     * @return this builder
     */
    public TextRequestBuilder setModels(List<String> specs) {
        models = List.copyOf(specs);
        return this;
    }

    /**
     * As {@link #setModels(List)}.
     *
     * @param specs folders, files or {@code builtin:NAME}
     * @return this builder
     */
    public TextRequestBuilder setModels(String... specs) {
        return setModels(List.of(specs));
    }

    /**
     * The preset, instead of inferring it from the model.
     *
     * @param p the preset
     * @return this builder
     */
    public TextRequestBuilder optPreset(Preset p) {
        preset = Optional.of(p);
        return this;
    }

    /**
     * Whose syntax, chunking and weighting (default A1111).
     *
     * @param s the style
     * @return this builder
     */
    public TextRequestBuilder optStyle(PromptStyle s) {
        style = s;
        return this;
    }

    /**
     * Tolerant (the tools' behaviour, the default) or strict bracket syntax.
     *
     * @param s the mode
     * @return this builder
     */
    public TextRequestBuilder optSyntax(SyntaxMode s) {
        syntax = s;
        return this;
    }

    /**
     * A1111's comma backtrack (default 20; 0 = off).
     *
     * @param tokens the backtrack
     * @return this builder
     */
    public TextRequestBuilder optCommaBacktrack(int tokens) {
        commaBacktrack = tokens;
        return this;
    }

    /**
     * Prompts cut after this many 75-token chunks, with a warning (1: the classic 77-token truncation; 0: no limit,
     * every prompt whole). The default refuses prompts over {@value ChunkLimit#DEFAULT_CHUNKS} chunks.
     *
     * @param k the limit
     * @return this builder
     * @throws dev.sdcond.models.InvalidInputException for a negative limit
     */
    public TextRequestBuilder optMaxChunks(int k) {
        chunkLimit = ChunkLimit.cutAt(k);
        return this;
    }

    /**
     * How many chunks a prompt may take and what a longer one gets (default {@link ChunkLimit#DEFAULT}).
     *
     * @param limit the limit
     * @return this builder
     */
    public TextRequestBuilder optChunkLimit(ChunkLimit limit) {
        chunkLimit = limit;
        return this;
    }

    /**
     * The layer taken from every encoder (default: the preset's).
     *
     * @param l the choice
     * @return this builder
     */
    public TextRequestBuilder optLayer(LayerChoice l) {
        layer = l;
        return this;
    }

    /**
     * All-zero conditioning for an empty negative prompt, or not, whatever the preset's default.
     *
     * @param zero whether to zero
     * @return this builder
     */
    public TextRequestBuilder optZeroEmptyNegative(boolean zero) {
        zeroEmptyNegative = Optional.of(zero);
        return this;
    }

    /**
     * Adds a LoRA merged for every prompt.
     *
     * @param l the LoRA and its strength
     * @return this builder
     */
    public TextRequestBuilder addLora(LoraSpec l) {
        loras.add(l);
        return this;
    }

    /**
     * Adds a folder where A1111's {@code <lora:NAME:W>} tags find their files.
     *
     * @param dir the folder (searched recursively)
     * @return this builder
     */
    public TextRequestBuilder addLoraDir(Path dir) {
        loraDirs.add(dir);
        return this;
    }

    /**
     * Adds a textual-inversion embedding folder.
     *
     * @param dir the folder (searched recursively)
     * @return this builder
     */
    public TextRequestBuilder addEmbeddingDir(Path dir) {
        embeddingDirs.add(dir);
        return this;
    }

    /**
     * The output tensor names (default sdcond's).
     *
     * @param n the names
     * @return this builder
     */
    public TextRequestBuilder optNames(OutputNames n) {
        names = n;
        return this;
    }

    /**
     * T5 tokens per prompt for Flux and SD3 (diffusers' {@code max_sequence_length}; default the preset's).
     *
     * @param tokens 1 to 512
     * @return this builder
     */
    public TextRequestBuilder optT5Length(int tokens) {
        t5Length = OptionalInt.of(tokens);
        return this;
    }

    /**
     * The dtype the towers compute in (default float32).
     *
     * @param p the dtype
     * @return this builder
     */
    public TextRequestBuilder optDtype(Precision p) {
        dtype = p;
        return this;
    }

    /**
     * The attention kernel (default fused).
     *
     * @param k the kernel
     * @return this builder
     */
    public TextRequestBuilder optAttention(AttentionKernel k) {
        attention = k;
        return this;
    }

    /**
     * The projections' product kernel (default auto).
     *
     * @param k the kernel
     * @return this builder
     */
    public TextRequestBuilder optLinear(LinearKernel k) {
        linear = k;
        return this;
    }

    /**
     * The request.
     *
     * @return it, validated
     * @throws dev.sdcond.models.InvalidInputException naming the bad value
     */
    public TextRequest build() {
        return new TextRequest(models, preset, style, syntax, commaBacktrack, chunkLimit, layer, zeroEmptyNegative,
                loras, loraDirs, embeddingDirs, names, t5Length, dtype, attention, linear);
    }
}
