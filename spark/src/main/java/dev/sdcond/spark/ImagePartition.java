package dev.sdcond.spark;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.sdcond.ipadapter.ImageEmbeddings;
import dev.sdcond.ipadapter.ImageEncoder;
import dev.sdcond.ipadapter.LoadedVisionModel;
import dev.sdcond.ipadapter.Uncond;
import dev.sdcond.ipadapter.image.ImageLoader;
import dev.sdcond.ipadapter.image.RgbImage;
import dev.sdcond.models.SdcondException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import org.apache.spark.api.java.function.MapPartitionsFunction;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;

/**
 * One partition's images, decoded from a binary column (Spark's {@code binaryFile} {@code content}, or the image bytes
 * of a Parquet column) and encoded in batches of up to {@code batchSize}: per row {@code image_embeds}, the chosen
 * hidden state and, with an uncond, their {@code uncond_} forms. An image that cannot be decoded keeps its row with null
 * tensors and the message in {@code error}.
 */
final class ImagePartition implements MapPartitionsFunction<Row, Row> {
    private final ImageSettings settings;
    private final TensorColumns columns;
    private final int imageIndex;
    private final int nameIndex;
    private final int batchSize;

    ImagePartition(ImageSettings settings, TensorColumns columns, int imageIndex, int nameIndex, int batchSize) {
        this.settings = settings;
        this.columns = columns;
        this.imageIndex = imageIndex;
        this.nameIndex = nameIndex;
        this.batchSize = batchSize;
    }

    @Override
    public Iterator<Row> call(Iterator<Row> input) {
        LoadedVisionModel model = ExecutorModels.image(settings, TaskDevices.current());
        ImageEncoder encoder = new ImageEncoder(model.tower(), settings.processor(model.tower().config().imageSize()));
        Uncond uncond = settings.uncond() == null ? null : Uncond.parse(settings.uncond(), ImageLoader.DEFAULT);
        return new Batches(input, batchSize, rows -> encode(encoder, uncond, rows));
    }

    private List<Row> encode(ImageEncoder encoder, Uncond uncond, List<Row> rows) {
        Row[] out = new Row[rows.size()];
        List<Integer> ok = new ArrayList<>();
        List<RgbImage> images = new ArrayList<>();
        for (int i = 0; i < rows.size(); i++) {
            Row r = rows.get(i);
            try {
                if (r.isNullAt(imageIndex)) {
                    throw new dev.sdcond.models.InvalidInputException("no image (null)");
                }
                String name = nameIndex >= 0 && !r.isNullAt(nameIndex) ? String.valueOf(r.get(nameIndex)) : "image";
                images.add(ImageLoader.DEFAULT.decode(Path.of(name.replaceAll("^file:", "")), (byte[]) r.get(imageIndex)));
                ok.add(i);
            } catch (SdcondException | java.nio.file.InvalidPathException e) {
                out[i] = row(r, null, e.getMessage());
            }
        }
        if (!images.isEmpty()) {
            try (NDManager m = NDManager.newBaseManager()) {
                ImageEmbeddings e = encoder.encode(m, images, settings.layer(), uncond);
                for (int j = 0; j < ok.size(); j++) {
                    NDArray[] t = {rowOf(e.imageEmbeds(), j), rowOf(e.hiddenStates(), j), rowOf(e.uncondImageEmbeds(), j),
                            rowOf(e.uncondHiddenStates(), j)};
                    List<Object> values = new ArrayList<>();
                    String error = null;
                    for (int k = 0; k < columns.names().size(); k++) {
                        if (t[k] != null && !t[k].isInfinite().logicalOr(t[k].isNaN()).none().getBoolean()) {
                            error = "the image encoder gave NaN or Inf for this image";
                        }
                        for (Object v : columns.values(t[k])) {
                            values.add(v);
                        }
                    }
                    out[ok.get(j)] = row(rows.get(ok.get(j)), error == null ? values : null, error);
                }
            }
        }
        return List.of(out);
    }

    /** Row j of a batch's tensor; a negative shared by the batch (one row) is every row's. */
    private static NDArray rowOf(NDArray a, int j) {
        return a == null ? null : a.get(a.getShape().get(0) == 1 ? 0 : j);
    }

    private Row row(Row in, List<Object> tensorValues, String error) {
        Object[] v = new Object[in.length() + 2 * columns.names().size() + 2];
        for (int i = 0; i < in.length(); i++) {
            v[i] = in.get(i);
        }
        for (int i = 0; tensorValues != null && i < tensorValues.size(); i++) {
            v[in.length() + i] = tensorValues.get(i);
        }
        v[v.length - 2] = error == null ? columns.dtypeValue() : null;
        v[v.length - 1] = error;
        return RowFactory.create(v);
    }
}
