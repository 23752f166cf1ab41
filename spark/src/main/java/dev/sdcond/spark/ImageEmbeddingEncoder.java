package dev.sdcond.spark;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.apache.spark.ml.param.IntParam;
import org.apache.spark.ml.param.Param;
import org.apache.spark.ml.param.ParamMap;
import org.apache.spark.ml.util.Identifiable$;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.StructType;

/**
 * A Spark ML transformer that adds IP-Adapter image embeddings to a DataFrame with a binary image column (Spark's
 * {@code binaryFile} {@code content}, or image bytes in Parquet as img2dataset writes them): {@code image_embeds}, the
 * chosen hidden state ({@code penultimate_hidden_states} by default) and, with {@code uncond}, their {@code uncond_}
 * forms, as little-endian float16 or float32 bytes with shapes, then {@code dtype} and {@code error}. One model per
 * executor JVM and setting; nothing is collected to the driver.
 */
public final class ImageEmbeddingEncoder extends TensorEncoder {
    private static final long serialVersionUID = 1L;
    private final Param<String> model;
    private final Param<String> mode;
    private final Param<String> crop;
    private final IntParam layer;
    private final Param<String> uncond;
    private final Param<String> imageCol;
    private final Param<String> nameCol;
    private final Param<String> computeDtype;

    /** A transformer with the defaults: hf resize, center crop, layer -2, no uncond, float16 output, batch 16. */
    public ImageEmbeddingEncoder() {
        this(Identifiable$.MODULE$.randomUID("sdcondImage"));
    }

    /**
     * A transformer with the defaults and a given id.
     *
     * @param uid its id
     */
    public ImageEmbeddingEncoder(String uid) {
        super(uid, 16);
        model = new Param<>(this, "model", "the image encoder: a folder, a pipeline, an IP-Adapter repository, builtin:");
        mode = new Param<>(this, "mode", "resize mode, as encode-image's --mode");
        crop = new Param<>(this, "crop", "crop position, as encode-image's --crop");
        layer = new IntParam(this, "layer", "hidden state kept: -2 (penultimate) or an index from 0");
        uncond = new Param<>(this, "uncond", "zeros, zero-pixels, black or an image file (empty: none)");
        imageCol = new Param<>(this, "imageCol", "the binary image column");
        nameCol = new Param<>(this, "nameCol", "a column naming the image (its path), for messages and formats");
        computeDtype = new Param<>(this, "computeDtype", "float32, bfloat16 or float16");
        setDefault(computeDtype, "float32");
        setDefault(mode, "hf");
        setDefault(crop, "center");
        setDefault(layer, -2);
        setDefault(uncond, "");
        setDefault(imageCol, "content");
        setDefault(nameCol, "path");
    }

    /** @return float32, bfloat16 or float16 */
    public Param<String> computeDtype() {
        return computeDtype;
    }

    /** @return the image encoder spec */
    public Param<String> model() {
        return model;
    }

    /** @return the resize mode */
    public Param<String> mode() {
        return mode;
    }

    /** @return the crop position */
    public Param<String> crop() {
        return crop;
    }

    /** @return the hidden state kept */
    public IntParam layer() {
        return layer;
    }

    /** @return the uncond, empty for none */
    public Param<String> uncond() {
        return uncond;
    }

    /** @return the binary image column */
    public Param<String> imageCol() {
        return imageCol;
    }

    /** @return the column naming the image, empty for none */
    public Param<String> nameCol() {
        return nameCol;
    }

    /**
     * The settings the executors load and encode with.
     *
     * @return the settings, checked
     */
    public ImageSettings settings() {
        String u = getOrDefault(uncond);
        ImageSettings s = new ImageSettings(getOrDefault(model), getOrDefault(mode), getOrDefault(crop),
                (Integer) getOrDefault(layer), u.isEmpty() ? null : u, getOrDefault(computeDtype()));
        s.check();
        return s;
    }

    private TensorColumns columns() {
        ImageSettings s = settings();
        List<String> names = new ArrayList<>(List.of("image_embeds", s.hiddenName()));
        if (s.uncond() != null) {
            names.addAll(List.of("uncond_image_embeds", "uncond_" + s.hiddenName()));
        }
        return columns(names);
    }

    @Override
    public Dataset<Row> transform(Dataset<?> dataset) {
        StructType out = transformSchema(dataset.schema());
        StructType in = dataset.schema();
        int batch = batch();
        String name = getOrDefault(nameCol);
        ImagePartition f = new ImagePartition(settings(), columns(), in.fieldIndex(getOrDefault(imageCol)),
                name.isEmpty() || !Arrays.asList(in.fieldNames()).contains(name) ? -1 : in.fieldIndex(name), batch);
        return withMetadata(dataset.toDF().mapPartitions(f, Encoders.row(out)), out);
    }

    @Override
    public StructType transformSchema(StructType schema) {
        String c = getOrDefault(imageCol);
        requireColumn(schema, c);
        if (!(schema.apply(c).dataType() instanceof org.apache.spark.sql.types.BinaryType)) {
            throw new dev.sdcond.models.InvalidInputException("column '" + c + "' holds " + schema.apply(c).dataType()
                    .simpleString() + ", not image bytes (binary)");
        }
        return schemaWith(schema, columns(), settings());
    }

    @Override
    public ImageEmbeddingEncoder copy(ParamMap extra) {
        return defaultCopy(extra);
    }
}
