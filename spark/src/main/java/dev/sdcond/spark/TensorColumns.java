package dev.sdcond.spark;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
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
     * One tensor's column values.
     *
     * @param a the tensor (one row's), or null
     * @return its values (bytes or a float array) and its shape, or two nulls
     */
    Object[] values(NDArray a) {
        if (a == null) {
            return new Object[] {null, null};
        }
        long[] s = a.getShape().getShape();
        int[] shape = new int[s.length];
        for (int i = 0; i < s.length; i++) {
            shape[i] = (int) s[i];
        }
        Object v;
        if (arrays) {
            float[] f = a.toType(DataType.FLOAT32, false).toFloatArray();
            Float[] boxed = new Float[f.length];
            for (int i = 0; i < f.length; i++) {
                boxed[i] = f[i];
            }
            v = seq(boxed);
        } else {
            v = a.toType(dtype.equals("float16") ? DataType.FLOAT16 : DataType.FLOAT32, false).toByteArray();
        }
        Integer[] boxedShape = new Integer[shape.length];
        for (int i = 0; i < shape.length; i++) {
            boxedShape[i] = shape[i];
        }
        return new Object[] {v, seq(boxedShape)};
    }

    /**
     * The column values of every row of a batch tensor, converted once for the batch.
     *
     * @param batch [B, ...], or null
     * @param rows B
     * @return per row its values (bytes or a float array) and its shape (nulls for a null tensor)
     */
    Object[][] valuesPerRow(NDArray batch, int rows) {
        Object[][] out = new Object[rows][];
        if (batch == null) {
            for (int i = 0; i < rows; i++) {
                out[i] = new Object[] {null, null};
            }
            return out;
        }
        long[] s = batch.getShape().getShape();
        Object[] shape = new Object[s.length - 1];
        for (int i = 1; i < s.length; i++) {
            shape[i - 1] = (int) s[i];
        }
        if (arrays) {
            float[] f = batch.toType(DataType.FLOAT32, false).toFloatArray();
            int per = f.length / rows;
            for (int r = 0; r < rows; r++) {
                Object[] boxed = new Object[per];
                for (int i = 0; i < per; i++) {
                    boxed[i] = f[r * per + i];
                }
                out[r] = new Object[] {seq(boxed), seq(shape)};
            }
            return out;
        }
        byte[] all = batch.toType(dtype.equals("float16") ? DataType.FLOAT16 : DataType.FLOAT32, false).toByteArray();
        int per = all.length / rows;
        for (int r = 0; r < rows; r++) {
            out[r] = new Object[] {java.util.Arrays.copyOfRange(all, r * per, (r + 1) * per), seq(shape)};
        }
        return out;
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
