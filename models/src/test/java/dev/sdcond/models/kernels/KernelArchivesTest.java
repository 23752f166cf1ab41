package dev.sdcond.models.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The kernel archives shipped as resources were built from today's {@code kernels.py}: each carries the SHA-256 of the
 * source that wrote it and the torch version ({@code extra/sdcond-kernels.json}). A change to the source without
 * running it again fails here.
 */
class KernelArchivesTest {
    private static final Path SOURCE = Path.of("src/main/torchscript/kernels.py");
    private static final Path RESOURCES = Path.of("src/main/resources/dev/sdcond/models");

    @ParameterizedTest
    @ValueSource(strings = {"kernels.pt", "kernels-portable.pt"})
    void eachArchiveWasBuiltFromTodaysSource(String archive) throws IOException, NoSuchAlgorithmException {
        JsonNode built = builtFrom(archive);
        assertNotNull(built, archive + " has no extra/sdcond-kernels.json: build it with " + SOURCE);
        String today = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(SOURCE)));
        assertEquals(today, built.get("source_sha256").asText(), archive + " was built from another " + SOURCE
                + ": run python models/src/main/torchscript/kernels.py from the repository root");
        assertTrue(built.get("torch").asText().matches("2\\.\\d+\\..*"), built.toString());
    }

    /** The archive's extra file, or null (read through the zip's central directory, as libtorch writes it). */
    private static JsonNode builtFrom(String archive) throws IOException {
        try (ZipFile zip = new ZipFile(RESOURCES.resolve(archive).toFile())) {
            for (ZipEntry e : java.util.Collections.list(zip.entries())) {
                if (e.getName().endsWith("/extra/sdcond-kernels.json")) {
                    try (InputStream is = zip.getInputStream(e)) {
                        return new ObjectMapper().readTree(is);
                    }
                }
            }
        }
        return null;
    }
}
