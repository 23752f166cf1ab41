package dev.sdcond.spark;

import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.functions;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * The dataset job: prompts from Parquet, JSONL or CSV (or images from a folder or a Parquet binary column) to a Parquet
 * dataset of conditioning tensors (or image embeddings), and the rows that could not be encoded to an errors table. Runs on an embedded {@code local[*]} Spark by default
 * ({@code bin/sdcond-dataset}), or on a cluster unchanged ({@code spark-submit --class dev.sdcond.spark.EncodeDataset}).
 * The outputs are written with Spark's commit protocol: a crashed job leaves no {@code _SUCCESS}, and an existing
 * output is never overwritten.
 */
@Command(name = "sdcond-dataset", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Encode the prompts (Parquet, JSONL or CSV) or images (a folder, a Parquet binary column) of a"
                + " dataset into a Parquet dataset of tensors.")
public final class EncodeDataset implements Callable<Integer> {
    @Option(names = {"-i", "--input"}, required = true, description = "the input file or folder (or a URI: hdfs://, s3a://)")
    String input;

    @Option(names = "--format", description = "parquet, jsonl, csv, or images (a folder of image files; default: from"
            + " the input's extension)")
    String format;

    @Option(names = {"-o", "--output"}, required = true, description = "the output folder (must not exist)")
    String output;

    @Option(names = "--errors", description = "the errors table's folder (default: OUTPUT_errors)")
    String errors;

    @Option(names = {"-m", "--model"}, required = true, description = "model spec, as encode-text's (repeatable)")
    List<String> models;

    @picocli.CommandLine.Mixin
    dev.sdcond.cli.TextOptions text = new dev.sdcond.cli.TextOptions();

    @picocli.CommandLine.Mixin
    dev.sdcond.cli.KernelOptions kernels = new dev.sdcond.cli.KernelOptions();

    @Option(names = "--output-dtype", defaultValue = "float16", description = "tensor bytes: float16 or float32")
    String outputDtype;

    @Option(names = "--arrays", description = "array<float> columns instead of bytes")
    boolean arrays;

    @Option(names = "--batch-size", defaultValue = "8", description = "rows per forward pass (default: 8)")
    int batchSize;

    @Option(names = "--id-column", defaultValue = "id", description = "the id column (default: id; made when absent)")
    String idColumn;

    @Option(names = "--prompt-column", defaultValue = "prompt", description = "the prompt column (default: prompt)")
    String promptColumn;

    @Option(names = "--negative-column", description = "the negative prompt column (default: none)")
    String negativeColumn;

    @Option(names = "--image-column", description = "image mode: the binary column with the image bytes (with"
            + " --format images, a folder of image files read by Spark's binaryFile source: content)")
    String imageColumn;

    @picocli.CommandLine.Mixin
    dev.sdcond.cli.ImageOptions image = new dev.sdcond.cli.ImageOptions(); // image mode: encode-image's --mode, --crop, --uncond, --alpha, --max-pixels

    @Option(names = "--master", description = "Spark master (default: local[*], unless spark-submit set one)")
    String master;

    @Option(names = "--fail-fast", description = "any bad row fails the job, and nothing is written")
    boolean failFast;

    @Option(names = "--npz-dir", description = "also one ID.npz per row in this folder (SDXL: kohya's hidden_state1,"
            + " hidden_state2, pool2); a folder every executor can write")
    String npzDir;

    @Option(names = "--resume", description = "add to an existing output the rows whose ids it lacks (neither encoded"
            + " nor in the errors table); the pieces a crashed run did not commit are removed and encoded again")
    boolean resume;

    @Option(names = "--piece-rows", defaultValue = "1000",
            description = "rows are encoded and committed in pieces of about this many (a crash loses at most the"
                    + " piece in flight) (default: ${DEFAULT-VALUE}; one piece with --fail-fast)")
    int pieceRows;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        PrintWriter err = spec.commandLine().getErr();
        String errorsDir = errors != null ? errors : output.replaceAll("/+$", "") + "_errors";
        if (pieceRows < 1) {
            throw new dev.sdcond.models.InvalidInputException("--piece-rows must be 1 or more, got " + pieceRows);
        }
        List<String> targets = new ArrayList<>(List.of(output, errorsDir));
        if (npzDir != null) {
            targets.add(npzDir);
        }
        for (String p : targets) { // URIs: Spark's writer refuses an existing output itself
            if (!resume && !p.contains("://") && Files.exists(Path.of(p))) {
                throw new dev.sdcond.models.InvalidInputException(p + ": already exists (outputs are never"
                        + " overwritten)");
            }
        }
        boolean images = "images".equalsIgnoreCase(format) || imageColumn != null;
        org.apache.spark.ml.Transformer encoder;
        TextConditioningEncoder textEncoder = null;
        List<String> describing = new ArrayList<>();
        if (images) {
            ImageEmbeddingEncoder e = configure(new ImageEmbeddingEncoder());
            e.imageRequest(); // every value checked before Spark starts
            encoder = e;
            describing.add(e.getOrDefault(e.nameCol()));
        } else {
            TextConditioningEncoder e = configure(new TextConditioningEncoder()); // the request: checked now
            encoder = e;
            textEncoder = e;
            describing.add(promptColumn);
            if (negativeColumn != null) {
                describing.add(negativeColumn);
            }
        }
        if (!input.contains("://") && !Files.exists(Path.of(input))) { // before Spark starts
            throw new dev.sdcond.models.InvalidInputException(input + ": no such file or folder");
        }
        SparkSession spark = session(); // not stopped here: spark-submit and callers own the session
        try {
            Dataset<Row> in = read(spark, images);
            List<String> columns = List.of(in.columns());
            describing.removeIf(c -> !columns.contains(c));
            if (!columns.contains(idColumn)) {
                if (resume) {
                    throw new dev.sdcond.models.InvalidInputException(input + ": no id column '" + idColumn + "':"
                            + " --resume needs ids that stay the same from run to run");
                }
                in = in.withColumn(idColumn, images && columns.contains("path") ? functions.col("path")
                        : functions.monotonically_increasing_id().cast("string"));
            }
            int slots = spark.sparkContext().defaultParallelism();
            if (in.rdd().getNumPartitions() < slots) { // a small file is one partition: spread it over the slots
                in = in.repartition(slots);
            }
            if (textEncoder != null) { // what needs no model, checked before any encoding
                in = textEncoder.withPromptChecks(in);
            }
            new DatasetJob(output, errorsDir, idColumn, describing, resume, failFast, pieceRows).run(spark, in, encoder,
                    err);
        } finally {
            if (spark.sparkContext().isLocal()) {
                ExecutorModels.closeAll(); // local mode: the executors are this JVM
            }
        }
        return 0;
    }

    private ImageEmbeddingEncoder configure(ImageEmbeddingEncoder e) {
        if (models.size() != 1) {
            throw new dev.sdcond.models.InvalidInputException("image mode takes one --model, got " + models.size());
        }
        e.with(e.request(), image.request(models.get(0), text.layer().orElse(-2), kernels))
                .with(e.outputDtype(), outputDtype).with(e.arrays(), arrays).with(e.batchSize(), batchSize)
                .with(e.imageCol(), imageColumn != null ? imageColumn : "content");
        return e;
    }

    private TextConditioningEncoder configure(TextConditioningEncoder e) {
        e.with(e.request(), text.request(models, kernels)).with(e.outputDtype(), outputDtype).with(e.arrays(), arrays)
                .with(e.batchSize(), batchSize).with(e.promptCol(), promptColumn)
                .with(e.negativeCol(), negativeColumn == null ? "" : negativeColumn).with(e.idCol(), idColumn)
                .with(e.npzDir(), npzDir == null ? "" : npzDir);
        return e;
    }

    private SparkSession session() {
        String m = master != null ? master : System.getProperty("spark.master", "local[*]");
        java.util.regex.Matcher local = java.util.regex.Pattern.compile("local\\[(\\d+|\\*)]").matcher(m);
        if (local.matches() && System.getProperty("ai.djl.pytorch.num_threads") == null) {
            // local mode: the tasks share this JVM's cores; libtorch's threads per op, split among them
            int cores = Runtime.getRuntime().availableProcessors();
            int tasks = local.group(1).equals("*") ? cores : Integer.parseInt(local.group(1));
            System.setProperty("ai.djl.pytorch.num_threads", String.valueOf(Math.max(1, cores / tasks)));
        }
        SparkSession.Builder b = SparkSession.builder().appName("sdcond-dataset");
        if (master != null || System.getProperty("spark.master") == null) {
            b = b.master(master != null ? master : "local[*]");
        }
        SparkSession s = b.getOrCreate();
        s.sparkContext().setLogLevel("WARN");
        return s;
    }

    private Dataset<Row> read(SparkSession spark, boolean images) {
        String f = format != null ? format.toLowerCase(Locale.ROOT) : input.toLowerCase(Locale.ROOT)
                .replaceAll("/+$", "").replaceAll(".*\\.", "");
        List<String> text = new ArrayList<>();
        if (!images) {
            text.add(promptColumn);
            if (negativeColumn != null) {
                text.add(negativeColumn);
            }
        }
        return InputRows.read(spark, input, f, text);
    }

    /**
     * Runs the job.
     *
     * @param args the options
     */
    public static void main(String[] args) {
        System.exit(run(new PrintWriter(System.out, true), new PrintWriter(System.err, true), args));
    }

    /**
     * Runs the job in-process.
     *
     * @param out standard output
     * @param err standard error
     * @param args the options
     * @return the exit code: 0 done, 2 bad input (nothing written), 3 an output cannot be written, 70 a bug
     */
    public static int run(PrintWriter out, PrintWriter err, String... args) {
        CommandLine cl = new CommandLine(new EncodeDataset());
        cl.setOut(out);
        cl.setErr(err);
        cl.setExpandAtFiles(false);
        cl.setCaseInsensitiveEnumValuesAllowed(true); // the option words of encode-text, spelled as there
        cl.setExecutionExceptionHandler((ex, c, parsed) -> {
            int code = ex instanceof dev.sdcond.models.InvalidInputException ? 2
                    : ex instanceof dev.sdcond.models.OutputException ? 3 : 70;
            c.getErr().println("sdcond-dataset: " + ex.getMessage());
            if (code == 70) {
                ex.printStackTrace(c.getErr());
            }
            return code;
        });
        cl.setParameterExceptionHandler((ex, a) -> {
            ex.getCommandLine().getErr().println("sdcond-dataset: " + ex.getMessage());
            return 2;
        });
        return cl.execute(args);
    }
}
