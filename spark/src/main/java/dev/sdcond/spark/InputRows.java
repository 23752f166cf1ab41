package dev.sdcond.spark;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import java.util.Locale;
import org.apache.spark.api.java.function.MapFunction;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.functions;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/**
 * Reads the job's input rows. A record that cannot be read as a row (a CSV record with too many or too few fields, an
 * unbalanced quote; a JSONL line that is not a JSON object) or whose prompt is not a string (a number, an object, an
 * array) is kept, with what is wrong in {@value #INPUT_ERROR}, so that it becomes an error row and is never encoded as
 * something else.
 */
final class InputRows {

    /** The column saying why a row cannot be encoded; null for a good row. */
    static final String INPUT_ERROR = "sdcond_input_error";

    private static final String CORRUPT = "sdcond_corrupt_record";
    private static final int SHOWN = 200;
    private static final ObjectMapper JSON = new ObjectMapper();

    private InputRows() {
    }

    /**
     * Reads the input.
     *
     * @param spark the session
     * @param input the file, folder or URI
     * @param format {@code images}, {@code parquet}, {@code jsonl} (also {@code json}, {@code ndjson}) or {@code csv}
     * @param textColumns the columns that must hold strings (the prompt and negative prompt)
     * @return the rows; CSV and JSONL with {@value #INPUT_ERROR}
     */
    static Dataset<Row> read(SparkSession spark, String input, String format, List<String> textColumns) {
        return switch (format) {
            case "images" -> spark.read().format("binaryFile").option("recursiveFileLookup", "true")
                    .option("pathGlobFilter", "*.{png,PNG,jpg,JPG,jpeg,JPEG,webp,WEBP,bmp,BMP,gif,GIF,tif,TIF,tiff,TIFF}")
                    .load(input);
            case "parquet" -> spark.read().parquet(input);
            case "jsonl", "json", "ndjson" -> jsonl(spark, input, textColumns);
            case "csv" -> csv(spark, input);
            default -> throw new dev.sdcond.models.InvalidInputException(input + ": unknown format '" + format
                    + "' (--format parquet, jsonl, csv or images)");
        };
    }

    /** RFC 4180 records (quoted newlines and doubled quotes inside one field); a record not fitting the header fails. */
    private static Dataset<Row> csv(SparkSession spark, String input) {
        CsvQuotes.check(spark.sparkContext().hadoopConfiguration(), input);
        // a quoted "" is an empty string (Spark's default reads it as null), an empty field is absent (null): as JSONL's
        // "" and null
        var reader = spark.read().option("header", "true").option("multiLine", "true").option("escape", "\"")
                .option("nullValue", "\u0000");
        StructType columns = reader.csv(input).schema(); // the header's names, every column a string
        Dataset<Row> rows = reader.schema(columns.add(CORRUPT, DataTypes.StringType, true)).option("mode", "PERMISSIVE")
                .option("columnNameOfCorruptRecord", CORRUPT).csv(input);
        return rows.withColumn(INPUT_ERROR, functions.when(functions.col(CORRUPT).isNotNull(), functions.concat(
                functions.lit("malformed CSV record (its fields do not match the header's " + columns.size()
                        + " columns, or a quote is not closed): "), functions.substring(functions.col(CORRUPT), 1,
                        SHOWN)))).drop(CORRUPT);
    }

    /** One JSON object per line; a line that is not one, or a prompt that is not a string, is an input error. */
    private static Dataset<Row> jsonl(SparkSession spark, String input, List<String> textColumns) {
        List<String> text = List.copyOf(textColumns);
        Dataset<String> lines = spark.read().textFile(input).map((MapFunction<String, String>) l -> checked(l, text),
                Encoders.STRING());
        Dataset<Row> rows = spark.read().json(lines);
        return List.of(rows.columns()).contains(INPUT_ERROR) ? rows : rows.withColumn(INPUT_ERROR,
                functions.lit(null).cast(DataTypes.StringType));
    }

    /**
     * A JSONL line as Spark's reader should see it: as it is when it is a good row or blank; otherwise an object
     * holding {@value #INPUT_ERROR} (and the line's other fields when it is an object, the bad ones as null).
     *
     * @param line the line
     * @param textColumns the fields that must be strings or null
     * @return the line to read
     */
    static String checked(String line, List<String> textColumns) {
        if (line.isBlank()) {
            return line;
        }
        JsonNode node;
        try {
            node = JSON.readTree(line);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            return error(JSON.createObjectNode(), "malformed JSON line: " + firstLine(e.getOriginalMessage()) + ": "
                    + shown(line));
        }
        if (node == null || !node.isObject()) {
            return error(JSON.createObjectNode(), "a line must be one JSON object, this is " + (node == null ? "empty"
                    : kind(node)) + ": " + shown(line));
        }
        ObjectNode row = (ObjectNode) node;
        StringBuilder wrong = new StringBuilder();
        for (String c : textColumns) {
            JsonNode v = row.get(c);
            if (v != null && !v.isNull() && !v.isTextual()) {
                wrong.append(wrong.length() == 0 ? "" : "; ").append(c).append(" is ").append(kind(v))
                        .append(", not a string: ").append(shown(v.toString()));
                row.putNull(c);
            }
        }
        row.remove(INPUT_ERROR);
        return wrong.length() == 0 ? line : error(row, wrong.toString());
    }

    private static String error(ObjectNode row, String message) {
        row.put(INPUT_ERROR, message);
        return row.toString();
    }

    private static String kind(JsonNode n) {
        return switch (n.getNodeType()) {
            case NUMBER -> "a number";
            case BOOLEAN -> "a boolean";
            case ARRAY -> "an array";
            case OBJECT -> "an object";
            default -> n.getNodeType().name().toLowerCase(Locale.ROOT);
        };
    }

    private static String shown(String s) {
        return s.length() <= SHOWN ? s : s.substring(0, SHOWN) + "...";
    }

    private static String firstLine(String s) {
        int nl = s == null ? -1 : s.indexOf('\n');
        return s == null ? "" : nl < 0 ? s : s.substring(0, nl);
    }
}
