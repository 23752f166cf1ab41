package dev.sdcond.spark;

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

/**
 * One partition's images, decoded from a binary column (Spark's {@code binaryFile} {@code content}, or the image bytes
 * of a Parquet column) and encoded in batches of up to {@code batchSize}: per row {@code image_embeds}, the chosen
 * hidden state and, with an uncond, their {@code uncond_} forms. An image that cannot be decoded keeps its row with null
 * tensors and the message in {@code error}.
 */
final class ImagePartition implements MapPartitionsFunction<Row, Row> {
    private final dev.sdcond.ipadapter.ImageRequest request;
    private final TensorColumns columns;
    private final int imageIndex;
    private final int nameIndex;
    private final int batchSize;

    ImagePartition(dev.sdcond.ipadapter.ImageRequest request, TensorColumns columns, int imageIndex, int nameIndex,
            int batchSize) {
        this.request = request;
        this.columns = columns;
        this.imageIndex = imageIndex;
        this.nameIndex = nameIndex;
        this.batchSize = batchSize;
    }

    @Override
    public Iterator<Row> call(Iterator<Row> input) {
        ImageEncoder encoder = ExecutorModels.image(request, TaskDevices.current()).encoder();
        Uncond uncond = request.negative().orElse(null);
        ImageLoader loader = request.loader();
        return new Batches(input, batchSize, rows -> encode(encoder, loader, uncond, rows));
    }

    private List<Row> encode(ImageEncoder encoder, ImageLoader loader, Uncond uncond, List<Row> rows) {
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
                images.add(loader.decode(Path.of(name.replaceAll("^file:", "")), (byte[]) r.get(imageIndex)));
                ok.add(i);
            } catch (SdcondException | java.nio.file.InvalidPathException e) {
                out[i] = columns.row(r, null, e.getMessage());
            }
        }
        if (!images.isEmpty()) {
            try (NDManager m = NDManager.newBaseManager()) {
                ImageEmbeddings e = encoder.encode(m, images, request.layer(), uncond);
                List<List<Object>> values = columns.perRow(java.util.Arrays.asList(e.imageEmbeds(), e.hiddenStates(),
                        e.uncondImageEmbeds(), e.uncondHiddenStates()).subList(0, columns.names().size()), ok.size());
                for (int j = 0; j < ok.size(); j++) {
                    Row in = rows.get(ok.get(j));
                    out[ok.get(j)] = values.get(j) == null
                            ? columns.row(in, null, "the image encoder gave NaN or Inf for this image")
                            : columns.row(in, values.get(j), null);
                }
            }
        }
        return List.of(out);
    }
}
