package dev.sdcond.spark;

import java.util.ArrayList;
import dev.sdcond.ipadapter.ImageOutputs;
import dev.sdcond.ipadapter.ImageRequest;
import java.util.Arrays;
import java.util.List;
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
    private final Param<ImageRequest> request;
    private final Param<String> imageCol;
    private final Param<String> nameCol;

    /** A transformer with the defaults: float16 output, batch 16, column "content"; {@link #request()} is required. */
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
        request = new Param<>(this, "request", "what to encode and how (ImageRequest.builder())");
        imageCol = new Param<>(this, "imageCol", "the binary image column");
        nameCol = new Param<>(this, "nameCol", "a column naming the image (its path), for messages and formats");
        setDefault(imageCol, "content");
        setDefault(nameCol, "path");
    }

    /** @return the request: the encoder, preprocessing, layer, negative, dtype and kernels */
    public Param<ImageRequest> request() {
        return request;
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
     * The request the executors load and encode with.
     *
     * @return the request
     * @throws dev.sdcond.models.InvalidInputException when none is set, or its layer cannot be named before the
     *     encoder is loaded (a negative index other than -2)
     */
    public ImageRequest imageRequest() {
        if (!isDefined(request)) {
            throw new dev.sdcond.models.InvalidInputException("no request set: ImageEmbeddingEncoder needs request(),"
                    + " an ImageRequest");
        }
        ImageRequest r = getOrDefault(request);
        ImageOutputs.hiddenStatesName(r.layer()); // the column names are fixed before any executor loads the encoder
        return r;
    }

    private TensorColumns columns() {
        ImageRequest r = imageRequest();
        String hidden = ImageOutputs.hiddenStatesName(r.layer());
        List<String> names = new ArrayList<>(List.of("image_embeds", hidden));
        if (r.uncond().isPresent()) {
            names.addAll(List.of("uncond_image_embeds", "uncond_" + hidden));
        }
        return columns(names);
    }

    @Override
    public Dataset<Row> transform(Dataset<?> dataset) {
        StructType out = transformSchema(dataset.schema());
        StructType in = dataset.schema();
        int batch = batch();
        String name = getOrDefault(nameCol);
        ImagePartition f = new ImagePartition(imageRequest(), columns(), in.fieldIndex(getOrDefault(imageCol)),
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
        return schemaWith(schema, columns(), imageRequest().describe());
    }

    @Override
    public ImageEmbeddingEncoder copy(ParamMap extra) {
        return defaultCopy(extra);
    }
}
