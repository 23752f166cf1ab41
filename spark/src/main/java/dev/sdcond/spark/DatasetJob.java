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
        Dataset<Row> in = input;
        SaveMode mode = resume ? SaveMode.Append : SaveMode.ErrorIfExists;
        if (resume) { // only what was committed counts: a crashed job's files stay in _temporary, unread
            for (String done : List.of(output, errors)) {
                if (committed(spark, done)) {
                    Dataset<Row> ids = spark.read().parquet(done).select(functions.col(idColumn).cast("string")
                            .as("sdcond_done_id"));
                    in = in.join(ids, in.col(idColumn).cast("string").equalTo(ids.col("sdcond_done_id")),
                            "left_anti");
                }
            }
            // fixed now: writing to the outputs below must not change which rows this run encodes (Spark would
            // drop the cached results that depend on a path it writes, and recompute them)
            in = in.localCheckpoint();
        }
        // a duplicate id is an error row (every row that shares it), whatever the output: one id, one result
        Dataset<Row> dupIds = in.groupBy(in.col(idColumn).cast("string").as("sdcond_dup_id")).count()
                .withColumnRenamed("count", "sdcond_dup_count").filter(functions.col("sdcond_dup_count").gt(1))
                .localCheckpoint();
        Row dupSum = dupIds.agg(functions.sum("sdcond_dup_count")).first();
        long duplicated = dupSum.isNullAt(0) ? 0 : dupSum.getLong(0);
        Dataset<Row> duplicates = null;
        if (duplicated > 0) {
            Column same = in.col(idColumn).cast("string").equalTo(dupIds.col("sdcond_dup_id"));
            duplicates = in.join(dupIds, same, "inner").withColumn("error", functions.concat(functions.lit(
                    "duplicate id '"), functions.col("sdcond_dup_id"), functions.lit("': "),
                    functions.col("sdcond_dup_count").cast("string"), functions.lit(" rows share it (ids must be unique)")));
            if (failFast) {
                Row first = duplicates.select("error").first();
                throw new dev.sdcond.models.InvalidInputException(duplicated + " row(s) have an id another row"
                        + " has (--fail-fast, nothing written); the first: " + first.getString(0));
            }
            in = in.join(dupIds, same, "left_anti");
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
            long total = counts[0] + counts[1] + duplicated;
            Dataset<Row> bad = all.filter(functions.col("error").isNotNull());
            long failed = counts[1] + duplicated;
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
            if (duplicates != null) {
                errorRows = errorRows.unionByName(duplicates.select(keep));
            }
            errorRows.write().mode(mode).parquet(errors);
            err.printf("sdcond-dataset: %d rows encoded to %s, %d in the errors table %s%n", total - failed, output,
                    failed, errors);
            return new long[] {total - failed, failed};
        } finally {
            all.unpersist();
        }
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
