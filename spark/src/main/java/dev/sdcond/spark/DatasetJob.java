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
 * the others to the errors table (the id, the columns that say what the row was, the message). The rows are encoded
 * and committed in pieces ({@link Pieces}) of about {@code pieceRows} rows, each written to both tables with Spark's
 * commit protocol: a crash loses at most the piece in flight, and only a piece's rows are held (in memory, spilling to
 * disk) between its two writes. With {@code failFast} the run is one piece, so that a bad row fails it before anything
 * is written.
 *
 * @param output the output folder or URI
 * @param errors the errors table's folder or URI
 * @param idColumn the id column
 * @param describing the input columns the errors table keeps besides the id (the prompt, the image's path)
 * @param resume whether to add the rows the committed pieces lack instead of refusing existing outputs
 * @param failFast whether any bad row fails the job before anything is written
 * @param pieceRows about how many rows a piece holds
 */
record DatasetJob(String output, String errors, String idColumn, List<String> describing, boolean resume,
        boolean failFast, int pieceRows) {

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
        Pieces pieces = new Pieces(output, errors, spark.sparkContext().hadoopConfiguration());
        List<String> done = List.of();
        if (resume) {
            done = pieces.committedForResume();
        } else {
            pieces.requireAbsent();
        }
        List<Dataset<Row>> refused = new java.util.ArrayList<>(); // error rows before any encoding
        // read once, with its checks: the refusals and each piece take their rows from here (and with --resume,
        // writing the new pieces cannot change which rows are pending)
        Dataset<Row> in = withoutDuplicates(withoutUnreadable(pending(spark, input, done).localCheckpoint(), refused),
                refused);
        long failed = 0;
        for (Dataset<Row> r : refused) {
            failed += r.count();
        }
        long n = in.count();
        int count = n == 0 && failed == 0 ? 0 : failFast ? 1 : (int) Math.max(1, (n + pieceRows - 1) / pieceRows);
        String run = java.time.format.DateTimeFormatter.ofPattern("yyyyMMddHHmmss").format(java.time.LocalDateTime
                .now()) + String.format("%04x", new java.security.SecureRandom().nextInt(1 << 16));
        Column piece = functions.pmod(functions.hash(in.col(idColumn).cast("string")), functions.lit(count));
        long encoded = 0;
        try (Progress progress = spark.sparkContext().isLocal() ? Progress.start(err, n) : null) {
            for (int k = 0; k < count; k++) { // the tasks of a local run count their rows in this JVM
                long[] c = writePiece(count == 1 ? in : in.filter(piece.equalTo(k)), encoder, k == 0 ? refused
                        : List.of(), run, k);
                encoded += c[0];
                failed += c[1];
            }
        }
        pieces.finish();
        err.printf("sdcond-dataset: %d rows encoded to %s, %d in the errors table %s (%d piece(s))%n", encoded, output,
                failed, errors, count);
        return new long[] {encoded, failed};
    }

    /** Encodes one piece's rows and commits them to both tables; returns the rows encoded and the rows failed. */
    private long[] writePiece(Dataset<Row> rows, Transformer encoder, List<Dataset<Row>> refused, String run, int k) {
        Dataset<Row> all = encoder.transform(rows).persist(StorageLevel.MEMORY_AND_DISK_SER());
        try {
            long[] counts = counts(all); // rows encoded, rows failed: one pass that encodes every row once
            Dataset<Row> bad = all.filter(functions.col("error").isNotNull());
            if (counts[1] > 0 && failFast) {
                Row first = bad.select(idColumn, "error").first();
                throw new dev.sdcond.models.InvalidInputException(counts[1] + " row(s) cannot be encoded (--fail-fast,"
                        + " nothing written); the first, id " + first.get(0) + ": " + first.getString(1));
            }
            all.filter(functions.col("error").isNull()).drop("error").write().mode(SaveMode.ErrorIfExists)
                    .parquet(Pieces.folder(output, run, k));
            Column[] keep = java.util.stream.Stream.concat(java.util.stream.Stream.concat(
                    java.util.stream.Stream.of(idColumn), describing.stream()), java.util.stream.Stream.of("error"))
                    .map(functions::col).toArray(Column[]::new);
            Dataset<Row> errorRows = bad.select(keep);
            for (Dataset<Row> r : refused) {
                errorRows = errorRows.unionByName(r.select(keep));
            }
            errorRows.write().mode(SaveMode.ErrorIfExists).parquet(Pieces.folder(errors, run, k));
            return counts;
        } finally {
            all.unpersist();
        }
    }

    /**
     * The rows that pass the checks made before encoding (a readable record; prompts present, of good syntax, their
     * LoRA tags' files there); the others, with their {@code error}, are added to {@code refused}.
     */
    private Dataset<Row> withoutUnreadable(Dataset<Row> input, List<Dataset<Row>> refused) {
        if (!java.util.Arrays.asList(input.columns()).contains(InputRows.INPUT_ERROR)) {
            return input;
        }
        Dataset<Row> in = input; // checkpointed: Spark refuses a query that needs only a corrupt-record column
        Column bad = functions.col(InputRows.INPUT_ERROR);
        Dataset<Row> unreadable = in.filter(bad.isNotNull()).withColumn("error", bad).drop(InputRows.INPUT_ERROR);
        if (failFast && !unreadable.isEmpty()) {
            throw new dev.sdcond.models.InvalidInputException(unreadable.count() + " row(s) are refused before any"
                    + " encoding (--fail-fast, nothing written); the first: " + unreadable.select("error").first().getString(0));
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

    /** The input rows this run encodes: all of them, or with --resume those the committed pieces lack. */
    private Dataset<Row> pending(SparkSession spark, Dataset<Row> input, List<String> committed) {
        if (committed.isEmpty()) {
            return input;
        }
        Dataset<Row> ids = spark.read().parquet(committed.toArray(String[]::new)).select(functions.col(idColumn)
                .cast("string").as("sdcond_done_id"));
        return input.join(ids, input.col(idColumn).cast("string").equalTo(ids.col("sdcond_done_id")), "left_anti");
    }

    /** The rows encoded and the rows with an error, counted in one pass. */
    private static long[] counts(Dataset<Row> all) {
        long[] out = new long[2];
        for (Row r : all.groupBy(functions.col("error").isNull().as("ok")).count().collectAsList()) {
            out[r.getBoolean(0) ? 0 : 1] = r.getLong(1);
        }
        return out;
    }
}
