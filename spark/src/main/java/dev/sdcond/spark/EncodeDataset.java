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
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.functions;
import org.apache.spark.storage.StorageLevel;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * The dataset job: prompts from Parquet, JSONL or CSV to a Parquet dataset of conditioning tensors, and the rows that
 * could not be encoded to an errors table. Runs on an embedded {@code local[*]} Spark by default
 * ({@code bin/sdcond-dataset}), or on a cluster unchanged ({@code spark-submit --class dev.sdcond.spark.EncodeDataset}).
 * The outputs are written with Spark's commit protocol: a crashed job leaves no {@code _SUCCESS}, and an existing
 * output is never overwritten.
 */
@Command(name = "sdcond-dataset", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Encode the prompts of a dataset (Parquet, JSONL or CSV) into a Parquet dataset of tensors.")
public final class EncodeDataset implements Callable<Integer> {
    @Option(names = {"-i", "--input"}, required = true, description = "the input file or folder (or a URI: hdfs://, s3a://)")
    String input;

    @Option(names = "--format", description = "parquet, jsonl or csv (default: from the input's extension)")
    String format;

    @Option(names = {"-o", "--output"}, required = true, description = "the output folder (must not exist)")
    String output;

    @Option(names = "--errors", description = "the errors table's folder (default: OUTPUT_errors)")
    String errors;

    @Option(names = {"-m", "--model"}, required = true, description = "model spec, as encode-text's (repeatable)")
    List<String> models;

    @Option(names = "--preset", description = "sd15, sd2, sdxl, flux or sd3 (default: inferred)")
    String preset;

    @Option(names = "--style", defaultValue = "a1111", description = "a1111, comfy or plain (default: a1111)")
    String style;

    @Option(names = "--strict", description = "unclosed brackets and stray closers make a row an error")
    boolean strict;

    @Option(names = "--max-chunks", defaultValue = "0", description = "chunk limit per prompt (default: none)")
    int maxChunks;

    @Option(names = "--clip-skip", description = "clip skip, in the convention of --clip-skip-style")
    Integer clipSkip;

    @Option(names = "--clip-skip-style", defaultValue = "a1111", description = "a1111, diffusers or comfy")
    String clipSkipStyle;

    @Option(names = "--dtype", defaultValue = "float32", description = "compute dtype: float32, bfloat16, float16")
    String dtype;

    @Option(names = "--output-dtype", defaultValue = "float16", description = "tensor bytes: float16 or float32")
    String outputDtype;

    @Option(names = "--arrays", description = "array<float> columns instead of bytes")
    boolean arrays;

    @Option(names = "--names", defaultValue = "sdcond", description = "sdcond, diffusers or comfy")
    String names;

    @Option(names = "--batch-size", defaultValue = "8", description = "rows per forward pass (default: 8)")
    int batchSize;

    @Option(names = "--id-column", defaultValue = "id", description = "the id column (default: id; made when absent)")
    String idColumn;

    @Option(names = "--prompt-column", defaultValue = "prompt", description = "the prompt column (default: prompt)")
    String promptColumn;

    @Option(names = "--negative-column", description = "the negative prompt column (default: none)")
    String negativeColumn;

    @Option(names = "--master", description = "Spark master (default: local[*], unless spark-submit set one)")
    String master;

    @Option(names = "--fail-fast", description = "any bad row fails the job, and nothing is written")
    boolean failFast;

    @Option(names = "--resume", description = "add to an existing output the rows whose ids it lacks (neither encoded"
            + " nor in the errors table); a crashed run's uncommitted files are ignored")
    boolean resume;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        PrintWriter err = spec.commandLine().getErr();
        String errorsDir = errors != null ? errors : output.replaceAll("/+$", "") + "_errors";
        for (String p : List.of(output, errorsDir)) { // URIs: Spark's writer refuses an existing output itself
            if (!resume && !p.contains("://") && Files.exists(Path.of(p))) {
                throw new dev.sdcond.models.InvalidInputException(p + ": already exists (outputs are never"
                        + " overwritten)");
            }
        }
        TextConditioningEncoder encoder = configure(new TextConditioningEncoder());
        encoder.settings(); // every value checked before Spark starts
        SparkSession spark = session(); // not stopped here: spark-submit and callers own the session
        try {
            Dataset<Row> in = read(spark);
            if (!List.of(in.columns()).contains(idColumn)) {
                if (resume) {
                    throw new dev.sdcond.models.InvalidInputException(input + ": no id column '" + idColumn + "':"
                            + " --resume needs ids that stay the same from run to run");
                }
                in = in.withColumn(idColumn, functions.monotonically_increasing_id().cast("string"));
            }
            SaveMode mode = resume ? SaveMode.Append : SaveMode.ErrorIfExists;
            if (resume) { // only what was committed counts: a crashed job's files stay in _temporary, unread
                for (String done : List.of(output, errorsDir)) {
                    if (committed(spark, done)) {
                        Dataset<Row> ids = spark.read().parquet(done).select(functions.col(idColumn).cast("string")
                                .as("sdcond_done_id"));
                        in = in.join(ids, in.col(idColumn).cast("string").equalTo(ids.col("sdcond_done_id")),
                                "left_anti");
                    }
                }
                // fixed now: writing to the outputs below must not change which rows this run encodes (Spark
                // would drop the cached results that depend on a path it writes, and recompute them)
                in = in.localCheckpoint();
            }
            Dataset<Row> all = encoder.transform(in).persist(StorageLevel.DISK_ONLY());
            try {
                long total = all.count(); // encodes every row once, into the disk cache
                Dataset<Row> bad = all.filter(functions.col("error").isNotNull());
                long failed = bad.count();
                if (failed > 0 && failFast) {
                    Row first = bad.select(idColumn, "error").first();
                    throw new dev.sdcond.models.InvalidInputException(failed + " row(s) cannot be encoded (--fail-fast,"
                            + " nothing written); the first, id " + first.get(0) + ": " + first.getString(1));
                }
                all.filter(functions.col("error").isNull()).drop("error").write().mode(mode).parquet(output);
                List<String> keep = new ArrayList<>(List.of(idColumn, promptColumn));
                if (negativeColumn != null) {
                    keep.add(negativeColumn);
                }
                keep.add("error");
                bad.select(keep.stream().map(functions::col).toArray(org.apache.spark.sql.Column[]::new)).write()
                        .mode(mode).parquet(errorsDir);
                err.printf("sdcond-dataset: %d rows encoded to %s, %d in the errors table %s%n", total - failed,
                        output, failed, errorsDir);
            } finally {
                all.unpersist();
            }
        } finally {
            if (spark.sparkContext().isLocal()) {
                ExecutorModels.closeAll(); // local mode: the executors are this JVM
            }
        }
        return 0;
    }

    /** Whether a folder holds a finished job's output ({@code _SUCCESS}). */
    private static boolean committed(SparkSession spark, String folder) {
        try {
            org.apache.hadoop.fs.Path p = new org.apache.hadoop.fs.Path(folder, "_SUCCESS");
            return p.getFileSystem(spark.sparkContext().hadoopConfiguration()).exists(p);
        } catch (java.io.IOException e) {
            throw new dev.sdcond.models.InvalidInputException(folder + ": cannot be read: " + e.getMessage(), e);
        }
    }

    private TextConditioningEncoder configure(TextConditioningEncoder e) {
        e.with(e.models(), models.toArray(String[]::new)).with(e.preset(), preset == null ? "" : preset)
                .with(e.style(), style).with(e.strict(), strict).with(e.maxChunks(), maxChunks)
                .with(e.clipSkip(), clipSkip == null ? -1 : clipSkip).with(e.clipSkipStyle(), clipSkipStyle)
                .with(e.computeDtype(), dtype).with(e.outputDtype(), outputDtype).with(e.arrays(), arrays)
                .with(e.names(), names).with(e.batchSize(), batchSize).with(e.promptCol(), promptColumn)
                .with(e.negativeCol(), negativeColumn == null ? "" : negativeColumn);
        return e;
    }

    private SparkSession session() {
        SparkSession.Builder b = SparkSession.builder().appName("sdcond-dataset");
        if (master != null || System.getProperty("spark.master") == null) {
            b = b.master(master != null ? master : "local[*]");
        }
        SparkSession s = b.getOrCreate();
        s.sparkContext().setLogLevel("WARN");
        return s;
    }

    private Dataset<Row> read(SparkSession spark) {
        if (!input.contains("://") && !Files.exists(Path.of(input))) {
            throw new dev.sdcond.models.InvalidInputException(input + ": no such file or folder");
        }
        String f = format != null ? format.toLowerCase(Locale.ROOT) : input.toLowerCase(Locale.ROOT)
                .replaceAll("/+$", "").replaceAll(".*\\.", "");
        return switch (f) {
            case "parquet" -> spark.read().parquet(input);
            case "jsonl", "json", "ndjson" -> spark.read().json(input);
            case "csv" -> spark.read().option("header", "true").option("multiLine", "true").option("escape", "\"")
                    .csv(input);
            default -> throw new dev.sdcond.models.InvalidInputException(input + ": unknown format '" + f
                    + "' (--format parquet, jsonl or csv)");
        };
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
