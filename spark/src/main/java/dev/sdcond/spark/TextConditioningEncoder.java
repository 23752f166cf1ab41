package dev.sdcond.spark;

import dev.sdcond.conditioning.OutputNames;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.apache.spark.ml.param.BooleanParam;
import org.apache.spark.ml.param.IntParam;
import org.apache.spark.ml.param.Param;
import org.apache.spark.ml.param.ParamMap;
import org.apache.spark.ml.param.StringArrayParam;
import org.apache.spark.ml.util.Identifiable$;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.StructType;

/**
 * A Spark ML transformer that adds text conditioning to a DataFrame with a prompt column (and optionally a negative
 * prompt column): per tensor of the preset ({@code hidden_states}, {@code pooled}, and the {@code negative_*} ones, or
 * their diffusers / ComfyUI names) a column of little-endian float16 or float32 bytes and its shape, then
 * {@code dtype} and {@code error} (null, or why the row has no tensors). Rows are encoded where they are, in batches,
 * with one model per executor JVM and setting; nothing is collected to the driver.
 */
public final class TextConditioningEncoder extends TensorEncoder {
    private static final long serialVersionUID = 1L;

    private final StringArrayParam models;
    private final Param<String> preset;
    private final Param<String> style;
    private final BooleanParam strict;
    private final IntParam maxChunks;
    private final IntParam clipSkip;
    private final Param<String> clipSkipStyle;
    private final Param<String> names;
    private final Param<String> promptCol;
    private final Param<String> negativeCol;
    private final Param<String> idCol;
    private final Param<String> npzDir;
    private final StringArrayParam embeddings;
    private final StringArrayParam loras;

    /** A transformer with the defaults: style a1111, float32 compute, float16 output, batch 8, column "prompt". */
    public TextConditioningEncoder() {
        this(Identifiable$.MODULE$.randomUID("sdcondText"));
    }

    /**
     * A transformer with the defaults and a given id.
     *
     * @param uid its id
     */
    public TextConditioningEncoder(String uid) {
        super(uid, 8);
        models = new StringArrayParam(this, "models", "model specs: a pipeline folder, encoder folders, builtin:NAME");
        preset = new Param<>(this, "preset", "sd15, sd2, sdxl, flux or sd3; empty to infer it");
        style = new Param<>(this, "style", "prompt style: a1111, comfy or plain");
        strict = new BooleanParam(this, "strict", "unclosed brackets and stray closers are errors");
        maxChunks = new IntParam(this, "maxChunks", "chunk limit per prompt (0: none)");
        clipSkip = new IntParam(this, "clipSkip", "clip skip (-1: the preset's layers)");
        clipSkipStyle = new Param<>(this, "clipSkipStyle", "whose clip skip numbering: a1111, diffusers or comfy");
        names = new Param<>(this, "names", "output names: sdcond, diffusers or comfy");
        promptCol = new Param<>(this, "promptCol", "the prompt column");
        negativeCol = new Param<>(this, "negativeCol", "the negative prompt column (empty: none)");
        idCol = new Param<>(this, "idCol", "the id column (names the .npz files)");
        npzDir = new Param<>(this, "npzDir", "a folder for one ID.npz per row (empty: none)");
        embeddings = new StringArrayParam(this, "embeddings", "textual-inversion embedding folders");
        loras = new StringArrayParam(this, "loras", "LoRAs merged into the text encoders: FILE[:STRENGTH]");
        setDefault(preset, "");
        setDefault(style, "a1111");
        setDefault(strict, false);
        setDefault(maxChunks, 0);
        setDefault(clipSkip, -1);
        setDefault(clipSkipStyle, "a1111");
        setDefault(names, "sdcond");
        setDefault(promptCol, "prompt");
        setDefault(negativeCol, "");
        setDefault(idCol, "id");
        setDefault(npzDir, "");
        setDefault(embeddings, new String[0]);
        setDefault(loras, new String[0]);
    }

    /**
     * The model specs.
     *
     * @return the parameter
     */
    public StringArrayParam models() {
        return models;
    }

    /**
     * The preset, empty to infer it.
     *
     * @return the parameter
     */
    public Param<String> preset() {
        return preset;
    }

    /**
     * a1111, comfy or plain.
     *
     * @return the parameter
     */
    public Param<String> style() {
        return style;
    }

    /**
     * Whether bad bracket syntax is an error.
     *
     * @return the parameter
     */
    public BooleanParam strict() {
        return strict;
    }

    /**
     * The chunk limit per prompt, 0 for none.
     *
     * @return the parameter
     */
    public IntParam maxChunks() {
        return maxChunks;
    }

    /**
     * The clip skip value, -1 for the preset's layers.
     *
     * @return the parameter
     */
    public IntParam clipSkip() {
        return clipSkip;
    }

    /**
     * a1111, diffusers or comfy.
     *
     * @return the parameter
     */
    public Param<String> clipSkipStyle() {
        return clipSkipStyle;
    }

    /**
     * sdcond, diffusers or comfy.
     *
     * @return the parameter
     */
    public Param<String> names() {
        return names;
    }

    /**
     * The prompt column.
     *
     * @return the parameter
     */
    public Param<String> promptCol() {
        return promptCol;
    }

    /**
     * The negative prompt column, empty for none.
     *
     * @return the parameter
     */
    public Param<String> negativeCol() {
        return negativeCol;
    }

    /**
     * The id column, naming the {@code .npz} files.
     *
     * @return the parameter
     */
    public Param<String> idCol() {
        return idCol;
    }

    /**
     * A folder for one {@code ID.npz} per row (kohya's arrays for SDXL), empty for none.
     *
     * @return the parameter
     */
    public Param<String> npzDir() {
        return npzDir;
    }

    /**
     * Textual-inversion embedding folders (every executor must read them).
     *
     * @return the parameter
     */
    public StringArrayParam embeddings() {
        return embeddings;
    }

    /**
     * LoRAs merged into the text encoders, {@code FILE[:STRENGTH]}.
     *
     * @return the parameter
     */
    public StringArrayParam loras() {
        return loras;
    }

    /**
     * The settings the executors load and encode with.
     *
     * @return the settings, checked
     */
    public TextSettings settings() {
        int skip = (Integer) getOrDefault(clipSkip);
        TextSettings s = new TextSettings(Arrays.asList((String[]) getOrDefault(models)), getOrDefault(preset),
                getOrDefault(style), (Boolean) getOrDefault(strict), (Integer) getOrDefault(maxChunks),
                skip < 0 ? null : skip, getOrDefault(clipSkipStyle), getOrDefault(computeDtype()), getOrDefault(names),
                Arrays.asList((String[]) getOrDefault(embeddings)), Arrays.asList((String[]) getOrDefault(loras)));
        s.check();
        return s;
    }

    private TensorColumns columns() {
        OutputNames n = settings().outputNames();
        List<String> tensors = new ArrayList<>(List.of(n.hiddenStates(false), n.pooled(false)));
        if (!getOrDefault(negativeCol).isEmpty()) {
            tensors.addAll(List.of(n.hiddenStates(true), n.pooled(true)));
        }
        return columns(tensors);
    }

    @Override
    public Dataset<Row> transform(Dataset<?> dataset) {
        StructType out = transformSchema(dataset.schema());
        StructType in = dataset.schema();
        String negative = getOrDefault(negativeCol);
        int batch = batch();
        String npz = getOrDefault(npzDir);
        NpzItems items = npz.isEmpty() ? null : new NpzItems(npz);
        TextPartition f = new TextPartition(settings(), columns(), in.fieldIndex(getOrDefault(promptCol)),
                negative.isEmpty() ? -1 : in.fieldIndex(negative), batch, in.fieldIndex(getOrDefault(idCol)), items);
        return withMetadata(dataset.toDF().mapPartitions(f, Encoders.row(out)), out);
    }

    @Override
    public StructType transformSchema(StructType schema) {
        requireColumn(schema, getOrDefault(promptCol));
        requireColumn(schema, getOrDefault(negativeCol));
        return schemaWith(schema, columns(), settings());
    }

    @Override
    public TextConditioningEncoder copy(ParamMap extra) {
        return defaultCopy(extra);
    }
}
