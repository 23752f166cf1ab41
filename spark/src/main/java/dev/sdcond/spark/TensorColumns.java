package dev.sdcond.spark;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.Metadata;
import org.apache.spark.sql.types.StructField;

/**
 * How tensors become columns: per tensor {@code NAME} (the little-endian bytes of its values in the output dtype, or an
 * {@code array<float>}) and {@code NAME_shape} ({@code array<int>}); one {@code dtype} column per row. The settings go
 * into the tensor columns' metadata, which Parquet keeps in the file's key-value metadata
 * ({@code org.apache.spark.sql.parquet.row.metadata}).
 *
 * @param names the tensors' column names, in order
 * @param dtype {@code float16} or {@code float32}
 * @param arrays whether tensors are {@code array<float>} columns instead of bytes
 */
record TensorColumns(List<String> names, String dtype, boolean arrays) implements Serializable {

    /** The output dtypes. */
    static final List<String> DTYPES = List.of("float16", "float32");

    /**
     * Checks the dtype.
     *
     * @param names the tensor names
     * @param dtype the output dtype
     * @param arrays array columns
     */
    TensorColumns {
        names = List.copyOf(names);
        dtype = dtype.toLowerCase(Locale.ROOT);
        if (!DTYPES.contains(dtype)) {
            throw new dev.sdcond.models.InvalidInputException("output dtype '" + dtype + "': float16 or float32");
        }
    }

    /**
     * The fields these columns add.
     *
     * @param settingsJson the settings, for the columns' metadata
     * @return per tensor its values and shape, then {@code dtype}
     */
    List<StructField> fields(String settingsJson) {
        Metadata meta = Metadata.fromJson("{\"sdcond\": " + settingsJson + "}");
        List<StructField> out = new ArrayList<>();
        for (String n : names) {
            out.add(DataTypes.createStructField(n, arrays ? DataTypes.createArrayType(DataTypes.FloatType, false)
                    : DataTypes.BinaryType, true, meta));
            out.add(DataTypes.createStructField(n + "_shape", DataTypes.createArrayType(DataTypes.IntegerType, false),
                    true));
        }
        out.add(DataTypes.createStructField("dtype", DataTypes.StringType, true));
        return out;
    }

    /**
     * A batch's tensors as each row's column values, each tensor converted once for the batch; a tensor with one row (a
     * negative shared by the batch) is every row's, a null tensor gives nulls.
     *
     * @param batch per tensor column, [B, ...] or [1, ...], or null
     * @param rows B
     * @return per row its values (per tensor: values, shape), or null for a row with NaN or Inf in any tensor
     */
    List<List<Object>> perRow(List<NDArray> batch, int rows) {
        boolean[] bad = new boolean[rows];
        List<List<Object>> out = new ArrayList<>();
        for (int r = 0; r < rows; r++) {
            out.add(new ArrayList<>());
        }
        for (NDArray a : batch) {
            markNonFinite(a, bad);
            Object[][] v = valuesPerRow(a, rows);
            for (int r = 0; r < rows; r++) {
                out.get(r).add(v[r][0]);
                out.get(r).add(v[r][1]);
            }
        }
        for (int r = 0; r < rows; r++) {
            if (bad[r]) {
                out.set(r, null);
            }
        }
        return out;
    }

    /** Marks the rows with NaN or Inf: one check for the batch, per row only when it fails. */
    private static void markNonFinite(NDArray a, boolean[] bad) {
        if (a == null || a.isInfinite().logicalOr(a.isNaN()).none().getBoolean()) {
            return;
        }
        boolean shared = a.getShape().get(0) == 1;
        for (int j = 0; j < bad.length; j++) {
            NDArray x = a.get(shared ? 0 : j);
            bad[j] |= !x.isInfinite().logicalOr(x.isNaN()).none().getBoolean();
        }
    }

    private Object[][] valuesPerRow(NDArray batch, int rows) {
        Object[][] out = new Object[rows][];
        if (batch == null) {
            for (int i = 0; i < rows; i++) {
                out[i] = new Object[] {null, null};
            }
            return out;
        }
        long[] s = batch.getShape().getShape();
        boolean shared = s[0] == 1;
        int stored = shared ? 1 : rows;
        Object[] shape = new Object[s.length - 1];
        for (int i = 1; i < s.length; i++) {
            shape[i - 1] = (int) s[i];
        }
        if (arrays) {
            float[] f = batch.toType(DataType.FLOAT32, false).toFloatArray();
            int per = f.length / stored;
            for (int r = 0; r < rows; r++) {
                int from = (shared ? 0 : r) * per;
                Object[] boxed = new Object[per];
                for (int i = 0; i < per; i++) {
                    boxed[i] = f[from + i];
                }
                out[r] = new Object[] {seq(boxed), seq(shape)};
            }
            return out;
        }
        byte[] all = batch.toType(dtype.equals("float16") ? DataType.FLOAT16 : DataType.FLOAT32, false).toByteArray();
        int per = all.length / stored;
        for (int r = 0; r < rows; r++) {
            int from = (shared ? 0 : r) * per;
            out[r] = new Object[] {java.util.Arrays.copyOfRange(all, from, from + per), seq(shape)};
        }
        return out;
    }

    /**
     * An output row: the input row's values, then the tensors' column values, {@code dtype} and {@code error}.
     *
     * @param in the input row
     * @param values the tensors' column values ({@link #perRow}), or null for a row that failed
     * @param error why the row has no tensors, or null
     * @return the row
     */
    Row row(Row in, List<Object> values, String error) {
        Object[] v = new Object[in.length() + 2 * names.size() + 2];
        for (int i = 0; i < in.length(); i++) {
            v[i] = in.get(i);
        }
        for (int i = 0; values != null && i < values.size(); i++) {
            v[in.length() + i] = values.get(i);
        }
        v[v.length - 2] = error == null ? dtypeValue() : null;
        v[v.length - 1] = error;
        return RowFactory.create(v);
    }

    /** Row values of array columns are Scala sequences. */
    private static scala.collection.Seq<Object> seq(Object[] values) {
        return scala.jdk.javaapi.CollectionConverters.asScala(java.util.Arrays.asList(values));
    }

    /**
     * The dtype column's value.
     *
     * @return the dtype of the tensor values
     */
    String dtypeValue() {
        return arrays ? "float32" : dtype;
    }
}
