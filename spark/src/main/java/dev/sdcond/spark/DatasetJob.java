package dev.sdcond.spark;

import java.io.PrintWriter;
import java.util.List;
import org.apache.spark.ml.Transformer;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.functions;
import org.apache.spark.storage.StorageLevel;

/**
 * Runs an encoder over a dataset and writes what it gives: the rows it encoded (without {@code error}) to the output,
 * the others to the errors table (the id, the columns that say what the row was, the message), both through Spark's
 * commit protocol. Every row is encoded once: the results are cached between the two writes (in memory, spilling to
 * disk).
 *
 * @param output the output folder or URI
 * @param errors the errors table's folder or URI
 * @param idColumn the id column
 * @param describing the input columns the errors table keeps besides the id (the prompt, the image's path)
 * @param resume whether to add the rows the committed outputs lack instead of refusing existing outputs
 * @param failFast whether any bad row fails the job before anything is written
 */
record DatasetJob(String output, String errors, String idColumn, List<String> describing, boolean resume,
        boolean failFast) {

    /**
     * Runs the job.
     *
     * @param spark the session
     * @param input the rows, with the id column
     * @param encoder the encoder (adds tensor columns, {@code dtype} and {@code error})
     * @param err where the progress and the summary go
     * @return the rows encoded and the rows in the errors table
     */
    long[] run(SparkSession spark, Dataset<Row> input, Transformer encoder, PrintWriter err) {
        SaveMode mode = resume ? SaveMode.Append : SaveMode.ErrorIfExists;
        List<Dataset<Row>> refused = new java.util.ArrayList<>(); // error rows before any encoding
        Dataset<Row> in = withoutDuplicates(withoutUnreadable(pending(spark, input), refused), refused);
        long refusedCount = 0;
        for (Dataset<Row> r : refused) {
            refusedCount += r.count();
        }
        Dataset<Row> all = encoder.transform(in).persist(StorageLevel.MEMORY_AND_DISK_SER());
        try {
            long[] counts; // rows encoded, rows failed: one pass that encodes every row once, into the cache
            if (spark.sparkContext().isLocal()) { // the tasks count their rows in this JVM
                try (Progress progress = Progress.start(err, in.count())) {
                    counts = counts(all);
                }
            } else {
                counts = counts(all);
            }
            long total = counts[0] + counts[1] + refusedCount;
            Dataset<Row> bad = all.filter(functions.col("error").isNotNull());
            long failed = counts[1] + refusedCount;
            if (counts[1] > 0 && failFast) {
                Row first = bad.select(idColumn, "error").first();
                throw new dev.sdcond.models.InvalidInputException(failed + " row(s) cannot be encoded (--fail-fast,"
                        + " nothing written); the first, id " + first.get(0) + ": " + first.getString(1));
            }
            all.filter(functions.col("error").isNull()).drop("error").write().mode(mode).parquet(output);
            Column[] keep = java.util.stream.Stream.concat(java.util.stream.Stream.concat(
                    java.util.stream.Stream.of(idColumn), describing.stream()), java.util.stream.Stream.of("error"))
                    .map(functions::col).toArray(Column[]::new);
            Dataset<Row> errorRows = bad.select(keep);
            for (Dataset<Row> r : refused) {
                errorRows = errorRows.unionByName(r.select(keep));
            }
            errorRows.write().mode(mode).parquet(errors);
            err.printf("sdcond-dataset: %d rows encoded to %s, %d in the errors table %s%n", total - failed, output,
                    failed, errors);
            return new long[] {total - failed, failed};
        } finally {
            all.unpersist();
        }
    }

    /** The rows that could be read as rows; the others, with their {@code error}, are added to {@code refused}. */
    private Dataset<Row> withoutUnreadable(Dataset<Row> input, List<Dataset<Row>> refused) {
        if (!java.util.Arrays.asList(input.columns()).contains(InputRows.INPUT_ERROR)) {
            return input;
        }
        // one read of the input, kept: Spark refuses a query that needs only a corrupt-record column
        Dataset<Row> in = input.localCheckpoint();
        Column bad = functions.col(InputRows.INPUT_ERROR);
        Dataset<Row> unreadable = in.filter(bad.isNotNull()).withColumn("error", bad).drop(InputRows.INPUT_ERROR);
        if (failFast && !unreadable.isEmpty()) {
            throw new dev.sdcond.models.InvalidInputException(unreadable.count() + " row(s) cannot be read as rows"
                    + " (--fail-fast, nothing written); the first: " + unreadable.select("error").first().getString(0));
        }
        refused.add(unreadable);
        return in.filter(bad.isNull()).drop(InputRows.INPUT_ERROR);
    }

    /**
     * The rows whose id no other row has; the others, with their {@code error}, are added to {@code refused}: one id,
     * one result, whatever the output.
     */
    private Dataset<Row> withoutDuplicates(Dataset<Row> in, List<Dataset<Row>> refused) {
        Dataset<Row> dupIds = in.groupBy(in.col(idColumn).cast("string").as("sdcond_dup_id")).count()
                .withColumnRenamed("count", "sdcond_dup_count").filter(functions.col("sdcond_dup_count").gt(1))
                .localCheckpoint();
        if (dupIds.isEmpty()) {
            return in;
        }
        Column same = in.col(idColumn).cast("string").equalTo(dupIds.col("sdcond_dup_id"));
        Dataset<Row> duplicates = in.join(dupIds, same, "inner").withColumn("error", functions.concat(functions.lit(
                "duplicate id '"), functions.col("sdcond_dup_id"), functions.lit("': "),
                functions.col("sdcond_dup_count").cast("string"), functions.lit(" rows share it (ids must be unique)")));
        if (failFast) {
            Row sum = dupIds.agg(functions.sum("sdcond_dup_count")).first();
            throw new dev.sdcond.models.InvalidInputException(sum.getLong(0) + " row(s) have an id another row has"
                    + " (--fail-fast, nothing written); the first: " + duplicates.select("error").first().getString(0));
        }
        refused.add(duplicates);
        return in.join(dupIds, same, "left_anti");
    }

    /** The input rows this run encodes: all of them, or with --resume those the committed outputs lack. */
    private Dataset<Row> pending(SparkSession spark, Dataset<Row> input) {
        if (!resume) {
            return input;
        }
        Dataset<Row> in = input; // only what was committed counts: a crashed job's files stay in _temporary, unread
        for (String done : List.of(output, errors)) {
            if (committed(spark, done)) {
                Dataset<Row> ids = spark.read().parquet(done).select(functions.col(idColumn).cast("string")
                        .as("sdcond_done_id"));
                in = in.join(ids, in.col(idColumn).cast("string").equalTo(ids.col("sdcond_done_id")), "left_anti");
            }
        }
        // fixed now: writing to the outputs below must not change which rows this run encodes (Spark would drop the
        // cached results that depend on a path it writes, and recompute them)
        return in.localCheckpoint();
    }

    /** The rows encoded and the rows with an error, counted in one pass. */
    private static long[] counts(Dataset<Row> all) {
        long[] out = new long[2];
        for (Row r : all.groupBy(functions.col("error").isNull().as("ok")).count().collectAsList()) {
            out[r.getBoolean(0) ? 0 : 1] = r.getLong(1);
        }
        return out;
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
}
