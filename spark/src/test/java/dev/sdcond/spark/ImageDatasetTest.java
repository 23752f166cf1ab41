package dev.sdcond.spark;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import dev.sdcond.ipadapter.ImageEmbeddings;
import dev.sdcond.ipadapter.ImageEncoder;
import dev.sdcond.ipadapter.LoadedVisionModel;
import dev.sdcond.ipadapter.VisionModels;
import dev.sdcond.ipadapter.image.ImageLoader;
import dev.sdcond.models.Compute;
import dev.sdcond.models.Goldens;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Image embeddings on a local[2] Spark: a folder of the goldens' images (Spark's binaryFile source, ids = paths) and
 * one file that is not an image; at batch size 1 each image's tensors are bit-identical to the library's for that
 * image (in batches of several images the vision tower's products round differently, as in any batched run), and the
 * bad file is in the errors table with its path and the decoder's message.
 */
class ImageDatasetTest {
    private static SparkSession spark;

    @BeforeAll
    static void start() {
        spark = LocalSpark.start();
    }

    @AfterAll
    static void stop() {
        LocalSpark.stop(spark);
    }

    @Test
    void imagesMatchTheLibraryAndABadFileIsAnError(@TempDir Path dir) throws Exception {
        Path images = Files.createDirectories(dir.resolve("images"));
        List<String> names = List.of("chelsea.png", "chelsea_q90.jpg", "coffee.png", "gray_small.png");
        for (String n : names) {
            Files.copy(Goldens.path("images/" + n), images.resolve(n));
        }
        Files.writeString(images.resolve("broken.png"), "not a png at all");
        String model = Goldens.path("clip-vision-tiny-h").toString();
        Path out = dir.resolve("emb");
        StringWriter err = new StringWriter();
        int code = EncodeDataset.run(new PrintWriter(new StringWriter()), new PrintWriter(err, true), "-i",
                images.toString(), "--format", "images", "-o", out.toString(), "-m", model, "--uncond", "zeros",
                "--output-dtype", "float32", "--batch-size", "1", "--master", "local[2]");
        assertEquals(0, code, err.toString());
        List<Row> rows = spark.read().parquet(out.toString()).collectAsList();
        assertEquals(names.size(), rows.size());
        List<Row> errors = spark.read().parquet(dir.resolve("emb_errors").toString()).collectAsList();
        assertEquals(1, errors.size());
        assertTrue(((String) errors.get(0).getAs("id")).endsWith("broken.png"), errors.get(0).toString());
        try (LoadedVisionModel vm = VisionModels.open(model, Compute.CPU); NDManager m = NDManager.newBaseManager()) {
            ImageEncoder encoder = new ImageEncoder(vm.tower());
            for (Row r : rows) {
                String path = r.getAs("id");
                Path file = Path.of(path.replaceFirst("^file:", ""));
                ImageEmbeddings e = encoder.encode(m, List.of(ImageLoader.DEFAULT.load(file)), -2,
                        dev.sdcond.ipadapter.Uncond.parse("zeros", ImageLoader.DEFAULT));
                assertArrayEquals(e.imageEmbeds().get(0).toType(DataType.FLOAT32, false).toByteArray(),
                        (byte[]) r.getAs("image_embeds"), path);
                assertArrayEquals(e.hiddenStates().get(0).toType(DataType.FLOAT32, false).toByteArray(),
                        (byte[]) r.getAs("penultimate_hidden_states"), path);
                assertArrayEquals(e.uncondImageEmbeds().get(0).toType(DataType.FLOAT32, false).toByteArray(),
                        (byte[]) r.getAs("uncond_image_embeds"), path);
            }
        }
    }
}
