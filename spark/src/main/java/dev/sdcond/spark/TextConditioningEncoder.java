package dev.sdcond.spark;

import dev.sdcond.conditioning.OutputNames;
import dev.sdcond.conditioning.TextRequest;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.ml.param.Param;
import org.apache.spark.ml.param.ParamMap;
import org.apache.spark.ml.util.Identifiable$;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.StructType;

/**
 * A Spark ML transformer that adds text conditioning to a DataFrame with a prompt column (and optionally a negative
 * prompt column): per tensor of the preset ({@code hidden_states}, {@code pooled}, and the {@code negative_*} ones, or
 * their diffusers / ComfyUI names) a column of little-endian float16 or float32 bytes and its shape, then
 * {@code dtype} and {@code error} (null, or why the row has no tensors). What is encoded, and how, is one
 * {@link TextRequest}, the same value {@code encode-text} and the library run; rows are encoded where they are, in
 * batches, with one model per executor JVM, request and set of LoRAs; nothing is collected to the driver.
 */
public final class TextConditioningEncoder extends TensorEncoder {
    private static final long serialVersionUID = 1L;

    private final Param<TextRequest> request;
    private final Param<String> promptCol;
    private final Param<String> negativeCol;
    private final Param<String> idCol;
    private final Param<String> npzDir;

    /** A transformer with the defaults: float16 output, batch 8, column "prompt"; {@link #request()} is required. */
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
        request = new Param<>(this, "request", "what to encode and how (TextRequest.builder())");
        promptCol = new Param<>(this, "promptCol", "the prompt column");
        negativeCol = new Param<>(this, "negativeCol", "the negative prompt column (empty: none)");
        idCol = new Param<>(this, "idCol", "the id column (names the .npz files)");
        npzDir = new Param<>(this, "npzDir", "a folder for one ID.npz per row (empty: none)");
        setDefault(promptCol, "prompt");
        setDefault(negativeCol, "");
        setDefault(idCol, "id");
        setDefault(npzDir, "");
    }

    /**
     * What to encode and how: the model, the prompt handling, the names, the dtype and kernels.
     *
     * @return the parameter
     */
    public Param<TextRequest> request() {
        return request;
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
     * The request the executors load and encode with.
     *
     * @return the request
     * @throws dev.sdcond.models.InvalidInputException when none was set
     */
    public TextRequest textRequest() {
        if (!isDefined(request)) {
            throw new dev.sdcond.models.InvalidInputException("no request set: TextConditioningEncoder needs"
                    + " request(), a TextRequest");
        }
        return getOrDefault(request);
    }

    /**
     * The rows with what can be checked without a model checked before any encoding: a prompt is present, its syntax
     * (under strict syntax) and weights are good, the files its {@code <lora:...>} tags name are there. A row that
     * fails has the reason in {@code sdcond_input_error}, so the job makes it an error row without encoding it, and
     * {@code --fail-fast} stops before encoding anything. Prompt columns of another type than string are left to the
     * encoding, which refuses them per row.
     *
     * @param in the rows
     * @return the rows with the column
     */
    public Dataset<Row> withPromptChecks(Dataset<Row> in) {
        StructType schema = in.schema();
        String prompt = getOrDefault(promptCol);
        String negative = getOrDefault(negativeCol);
        boolean hasNegative = !negative.isEmpty() && java.util.Arrays.asList(schema.fieldNames()).contains(negative);
        if (!(schema.apply(prompt).dataType() instanceof org.apache.spark.sql.types.StringType)
                || hasNegative && !(schema.apply(negative).dataType() instanceof org.apache.spark.sql.types.StringType)) {
            return in;
        }
        TextRequest r = textRequest();
        org.apache.spark.sql.expressions.UserDefinedFunction check = org.apache.spark.sql.functions.udf(
                (org.apache.spark.sql.api.java.UDF2<String, String, String>) (p, n) -> PromptCheck.error(r, p, n),
                org.apache.spark.sql.types.DataTypes.StringType);
        org.apache.spark.sql.Column error = check.apply(org.apache.spark.sql.functions.col(prompt), hasNegative
                ? org.apache.spark.sql.functions.col(negative)
                : org.apache.spark.sql.functions.lit(null).cast("string"));
        if (java.util.Arrays.asList(schema.fieldNames()).contains(InputRows.INPUT_ERROR)) {
            error = org.apache.spark.sql.functions.coalesce(org.apache.spark.sql.functions.col(InputRows.INPUT_ERROR),
                    error);
        }
        return in.withColumn(InputRows.INPUT_ERROR, error);
    }

    private TensorColumns columns() {
        OutputNames n = textRequest().names();
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
        String npz = getOrDefault(npzDir);
        NpzItems items = npz.isEmpty() ? null : new NpzItems(npz);
        TextPartition f = new TextPartition(textRequest(), columns(), in.fieldIndex(getOrDefault(promptCol)),
                negative.isEmpty() ? -1 : in.fieldIndex(negative), batch(), in.fieldIndex(getOrDefault(idCol)), items);
        return withMetadata(dataset.toDF().mapPartitions(f, Encoders.row(out)), out);
    }

    @Override
    public StructType transformSchema(StructType schema) {
        requireColumn(schema, getOrDefault(promptCol));
        requireColumn(schema, getOrDefault(negativeCol));
        return schemaWith(schema, columns(), textRequest().describe());
    }

    @Override
    public TextConditioningEncoder copy(ParamMap extra) {
        return defaultCopy(extra);
    }
}
