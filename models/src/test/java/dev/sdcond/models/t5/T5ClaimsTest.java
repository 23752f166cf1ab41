package dev.sdcond.models.t5;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sdcond.models.Compute;
import dev.sdcond.models.Goldens;
import dev.sdcond.models.SdcondException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Safe round 2: a T5 config.json's claims cost what the weights beside it cost, and odd values are refused. */
class T5ClaimsTest {
    @TempDir
    Path tmp;

    private Path withConfig(String name, String key, Object value) throws Exception {
        Path dir = Files.createDirectories(tmp.resolve(name));
        Files.copy(Goldens.path("t5/t5-tiny/model.safetensors"), dir.resolve("model.safetensors"));
        ObjectMapper json = new ObjectMapper();
        ObjectNode config = (ObjectNode) json.readTree(Goldens.path("t5/t5-tiny/config.json").toFile());
        config.set(key, json.valueToTree(value));
        json.writeValue(dir.resolve("config.json").toFile(), config);
        return dir;
    }

    @Test
    void aMillionBlocksClaimedBesideTinyWeightsFailsAtOnce() throws Exception {
        Path dir = withConfig("million", "num_layers", 1_000_000);
        SdcondException e = assertTimeoutPreemptively(Duration.ofSeconds(20),
                () -> assertThrows(SdcondException.class, () -> T5EncoderModel.open(dir, Compute.CPU)));
        assertTrue(e.getMessage().contains("num_layers is 1000000") && e.getMessage().contains("blocks"),
                e.getMessage());
    }

    @Test
    void bucketsAndDistancesThatAreNotPositiveAreRefusedNotReplaced() throws Exception {
        for (Object v : new Object[] {0, -5}) {
            Path dir = withConfig("buckets" + v, "relative_attention_num_buckets", v);
            SdcondException e = assertThrows(SdcondException.class, () -> T5EncoderModel.open(dir, Compute.CPU));
            assertTrue(e.getMessage().contains("relative_attention_num_buckets"), e.getMessage());
        }
        Path d = withConfig("distance", "relative_attention_max_distance", 0);
        assertThrows(SdcondException.class, () -> T5EncoderModel.open(d, Compute.CPU));
    }

    @Test
    void aHeadWidthWhoseProductOverflowsIsNamedNotShownAsAZeroShape() throws Exception {
        Path dir = withConfig("dkv", "d_kv", 1 << 30); // 4 heads x 2^30 = 2^32: "expected [0, 32]" before
        SdcondException e = assertThrows(SdcondException.class, () -> T5EncoderModel.open(dir, Compute.CPU));
        assertTrue(e.getMessage().contains("num_heads x d_kv (4 x 1073741824)")
                && e.getMessage().contains("config.json"), e.getMessage());
        assertTrue(!e.getMessage().contains("\n"), "one line: " + e.getMessage());
    }
}
