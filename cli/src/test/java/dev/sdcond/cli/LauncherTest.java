package dev.sdcond.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * bin/sdcond's environment (README, Performance): OpenMP's settings passed on as the user set them (none by default:
 * sdcond adapts its thread count to the machine's load instead), DJL_OFFLINE=true unless set. The launcher is run with a stand-in {@code java} that prints them.
 */
class LauncherTest {
    @Test
    void openMpAndOfflineDefaults(@TempDir Path dir) throws Exception {
        Path fake = standIns(dir, "sdcond", "sdcond.jar", "$OMP_WAIT_POLICY|$GOMP_SPINCOUNT|$DJL_OFFLINE");
        Path bin = dir.resolve("bin");
        assertEquals("||true", launch(bin, fake, Map.of()));
        assertEquals("|300000|true", launch(bin, fake, Map.of("GOMP_SPINCOUNT", "300000")));
        assertEquals("ACTIVE||false", launch(bin, fake, Map.of("OMP_WAIT_POLICY", "ACTIVE", "DJL_OFFLINE", "false")));
    }

    /** bin/sdcond-cuda runs the CUDA flavour's jar and lets DJL fetch a CUDA libtorch unless DJL_OFFLINE is set. */
    @Test
    void theCudaFlavourIsOnlineByDefault(@TempDir Path dir) throws Exception {
        Path fake = standIns(dir, "sdcond-cuda", "sdcond-cuda.jar", "$OMP_WAIT_POLICY|$GOMP_SPINCOUNT|$DJL_OFFLINE|$2");
        Path bin = dir.resolve("bin");
        String jar = dir.resolve("cli/target/sdcond-cuda.jar").toString();
        assertEquals("||false|" + jar, launch(bin, fake, Map.of()));
        assertEquals("||true|" + jar, launch(bin, fake, Map.of("DJL_OFFLINE", "true")));
    }

    /**
     * A copy of a launcher as {@code DIR/bin/sdcond}, an empty jar where it looks, and a stand-in {@code java} that
     * echoes {@code echo}.
     *
     * @return the stand-in's folder, for PATH
     */
    private static Path standIns(Path dir, String launcher, String jar, String echo) throws IOException {
        Path bin = Files.createDirectories(dir.resolve("bin"));
        Files.copy(Path.of("../bin/" + launcher), bin.resolve("sdcond"));
        Files.createDirectories(dir.resolve("cli/target"));
        Files.write(dir.resolve("cli/target/" + jar), new byte[0]);
        Path fake = Files.createDirectories(dir.resolve("fakebin"));
        Files.writeString(fake.resolve("java"), "#!/bin/sh\necho \"" + echo + "\"\n");
        for (Path p : new Path[] {bin.resolve("sdcond"), fake.resolve("java")}) {
            Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rwxr-xr-x"));
        }
        return fake;
    }

    private static String launch(Path bin, Path fake, Map<String, String> env) throws IOException, InterruptedException {
        ProcessBuilder pb = new ProcessBuilder("sh", bin.resolve("sdcond").toString(), "--version");
        pb.environment().remove("OMP_WAIT_POLICY");
        pb.environment().remove("GOMP_SPINCOUNT");
        pb.environment().remove("DJL_OFFLINE");
        pb.environment().putAll(env);
        pb.environment().put("PATH", fake + ":" + System.getenv("PATH"));
        pb.redirectErrorStream(true);
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        assertEquals(0, p.waitFor(), out);
        return out;
    }
}
