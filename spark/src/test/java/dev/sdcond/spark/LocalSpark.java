package dev.sdcond.spark;

import org.apache.spark.sql.SparkSession;

/** The tests' Spark: local[2], no UI; stopped with the models its tasks loaded. */
final class LocalSpark {
    private LocalSpark() {}

    static SparkSession start() {
        return SparkSession.builder().master("local[2]").appName("sdcond-test").config("spark.ui.enabled", "false")
                .getOrCreate();
    }

    static void stop(SparkSession spark) {
        ExecutorModels.closeAll();
        spark.stop();
    }
}
