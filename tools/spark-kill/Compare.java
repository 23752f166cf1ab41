// Compares two dataset-job outputs row by row (tools/spark-kill/run.sh): counts, distinct ids, and the rows of either
// that the other lacks, every column (tensor bytes included) compared; the piece a row was committed in is left out.
import org.apache.spark.sql.*;
public class Compare {
    public static void main(String[] a) {
        SparkSession s = SparkSession.builder().master("local[2]").appName("cmp").getOrCreate();
        s.sparkContext().setLogLevel("ERROR");
        for (String t : new String[] {"", "_errors"}) {
            Dataset<Row> x = s.read().parquet(a[0] + t).drop("sdcond_piece");
            Dataset<Row> y = s.read().parquet(a[1] + t).drop("sdcond_piece");
            long nx = x.count(), ny = y.count(), dy = y.select("id").distinct().count();
            long diff = x.exceptAll(y).count() + y.exceptAll(x).count();
            System.out.println("table" + t + ": uninterrupted " + nx + " rows, killed+resumed " + ny + " rows, "
                + dy + " distinct ids, rows differing (all columns, tensor bytes included): " + diff);
        }
        s.stop();
    }
}
