package dev.sdcond.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * bin/sdcond-dataset (README, Datasets on Spark), run with a stand-in {@code java} that prints its arguments: the
 * job's main class, the module's jar and both library folders on the class path, and every JVM flag these tests run
 * Spark with (the pom's {@code spark.opens}), so the launcher starts Spark as the tests do.
 */
class LauncherTest {
    @Test
    void startsTheJobWithTheTestsJvmFlags(@TempDir Path dir) throws Exception {
        Path bin = Files.createDirectories(dir.resolve("bin"));
        Files.copy(Path.of("../bin/sdcond-dataset"), bin.resolve("sdcond-dataset"));
        Files.createDirectories(dir.resolve("spark/target/lib"));
        Files.createDirectories(dir.resolve("spark/target/spark-lib"));
        Files.write(dir.resolve("spark/target/sdcond-spark-0.1.0-SNAPSHOT.jar"), new byte[0]);
        Path fake = Files.createDirectories(dir.resolve("fakebin"));
        Files.writeString(fake.resolve("java"), "#!/bin/sh\nfor a in \"$@\"; do echo \"$a\"; done\n");
        for (Path p : new Path[] {bin.resolve("sdcond-dataset"), fake.resolve("java")}) {
            Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rwxr-xr-x"));
        }
        ProcessBuilder pb = new ProcessBuilder("sh", bin.resolve("sdcond-dataset").toString(), "--help");
        pb.environment().put("PATH", fake + ":" + System.getenv("PATH"));
        pb.redirectErrorStream(true);
        Process p = pb.start();
        List<String> args = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).lines().toList();
        assertEquals(0, p.waitFor(), String.join("\n", args));
        for (String flag : ManagementFactory.getRuntimeMXBean().getInputArguments()) {
            if (flag.startsWith("--add-opens") || flag.startsWith("-Djdk.reflect") || flag.startsWith("-Dio.netty")) {
                assertTrue(args.contains(flag), flag + " missing from " + args);
            }
        }
        int cp = args.indexOf("-cp");
        String classPath = args.get(cp + 1);
        assertTrue(classPath.contains("sdcond-spark-0.1.0-SNAPSHOT.jar") && classPath.contains("spark/target/lib/*")
                && classPath.contains("spark/target/spark-lib/*"), classPath);
        assertEquals(List.of("dev.sdcond.spark.EncodeDataset", "--help"), args.subList(cp + 2, args.size()));
    }
}
