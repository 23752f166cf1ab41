package dev.sdcond.models.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** kill -9 in the middle of a write leaves a temporary; the next write into the folder removes it. */
class StaleTempsProcessTest {
    @TempDir
    Path tmp;

    private List<Path> partials() throws Exception {
        try (Stream<Path> s = Files.list(tmp)) {
            return s.filter(p -> p.getFileName().toString().endsWith(".partial")).toList();
        }
    }

    @Test
    void aKilledWritersTemporaryIsRemovedByTheNextWrite() throws Exception {
        Path target = tmp.resolve("out.safetensors");
        Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-cp",
                System.getProperty("java.class.path"), SlowWriter.class.getName(), target.toString())
                .redirectErrorStream(true).redirectOutput(tmp.resolve("log").toFile()).start();
        try {
            long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (partials().isEmpty() && System.nanoTime() < until && p.isAlive()) {
                Thread.sleep(50);
            }
            assertEquals(1, partials().size(), "the writer's temporary: " + Files.readString(tmp.resolve("log")));
            assertTrue(partials().get(0).getFileName().toString().startsWith(".out.safetensors." + p.pid() + "."));
        } finally {
            p.destroyForcibly(); // SIGKILL: no cleanup runs in the writer
            p.waitFor(30, TimeUnit.SECONDS);
        }
        assertEquals(1, partials().size(), "kill -9 leaves it behind");
        assertFalse(Files.exists(target));
        AtomicFiles.write(target, false, out -> out.write(new byte[] {1, 2, 3}));
        assertTrue(partials().isEmpty(), "the next write removed it");
        assertEquals(3, Files.size(target));
    }
}
