package dev.sdcond.spark;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.apache.spark.ml.Transformer;
import org.apache.spark.ml.param.BooleanParam;
import org.apache.spark.ml.param.IntParam;
import org.apache.spark.ml.param.Param;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

/**
 * What sdcond's Spark transformers share: the output dtype and layout, the batch size, and the
 * columns they add (per tensor its values and shape, {@code dtype}, {@code error}; the settings in the tensor columns'
 * metadata).
 */
public abstract class TensorEncoder extends Transformer {
    private static final long serialVersionUID = 1L;
    private final String uid;
    private final Param<String> outputDtype;
    private final BooleanParam arrays;
    private final IntParam batchSize;

    /**
     * The shared params with their defaults: float16 output bytes.
     *
     * @param uid the transformer's id
     * @param batch the default batch size
     */
    protected TensorEncoder(String uid, int batch) {
        this.uid = uid;
        outputDtype = new Param<>(this, "outputDtype", "float16 or float32 bytes");
        arrays = new BooleanParam(this, "arrays", "array<float> columns instead of bytes");
        batchSize = new IntParam(this, "batchSize", "rows per forward pass");
        setDefault(outputDtype, "float16");
        setDefault(arrays, false);
        setDefault(batchSize, batch);
    }

    /** @return float16 or float32 bytes */
    public Param<String> outputDtype() {
        return outputDtype;
    }

    /** @return whether tensors are {@code array<float>} columns instead of bytes */
    public BooleanParam arrays() {
        return arrays;
    }

    /** @return rows per forward pass */
    public IntParam batchSize() {
        return batchSize;
    }

    /**
     * Sets a parameter (Java's spelling of Spark's {@code set}).
     *
     * @param <T> its type
     * @param <E> this transformer's type
     * @param param the parameter
     * @param value its value
     * @return this transformer
     */
    @SuppressWarnings("unchecked")
    public <T, E extends TensorEncoder> E with(Param<T> param, T value) {
        set(param, value);
        return (E) this;
    }

    /**
     * The batch size, checked.
     *
     * @return 1 or more
     */
    protected int batch() {
        int b = (Integer) getOrDefault(batchSize);
        if (b < 1) {
            throw new dev.sdcond.models.InvalidInputException("the batch size is 1 or more, got " + b);
        }
        return b;
    }

    /**
     * The tensor columns, in the output dtype and layout.
     *
     * @param names the tensors' names
     * @return the columns
     */
    protected TensorColumns columns(List<String> names) {
        return new TensorColumns(names, getOrDefault(outputDtype), (Boolean) getOrDefault(arrays));
    }

    /**
     * The input schema with the tensor columns, {@code dtype} and {@code error} added.
     *
     * @param schema the input schema
     * @param columns the tensor columns
     * @param settings the settings, recorded in the tensor columns' metadata
     * @return the output schema
     */
    protected static StructType schemaWith(StructType schema, TensorColumns columns, Object settings) {
        List<StructField> fields = new ArrayList<>(Arrays.asList(schema.fields()));
        try {
            fields.addAll(columns.fields(new ObjectMapper().writeValueAsString(settings)));
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
        fields.add(DataTypes.createStructField("error", DataTypes.StringType, true));
        return DataTypes.createStructType(fields);
    }

    /**
     * The row encoder drops field metadata: the settings are put back on the tensor columns.
     *
     * @param encoded the encoded rows
     * @param schema their schema, with metadata
     * @return the rows with the metadata
     */
    protected static Dataset<Row> withMetadata(Dataset<Row> encoded, StructType schema) {
        for (StructField field : schema.fields()) {
            if (!field.metadata().json().equals("{}")) {
                encoded = encoded.withColumn(field.name(), encoded.col(field.name()).as(field.name(),
                        field.metadata()));
            }
        }
        return encoded;
    }

    /**
     * Checks that a column exists.
     *
     * @param schema the input schema
     * @param column the column, or empty for none
     * @throws dev.sdcond.models.InvalidInputException naming the columns there are
     */
    protected static void requireColumn(StructType schema, String column) {
        if (!column.isEmpty() && !Arrays.asList(schema.fieldNames()).contains(column)) {
            throw new dev.sdcond.models.InvalidInputException("no column '" + column + "' (columns: "
                    + String.join(", ", schema.fieldNames()) + ")");
        }
    }

    @Override
    public String uid() {
        return uid;
    }
}
