package dev.sdcond.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sdcond.cli.CliTest.Run;
import dev.sdcond.models.Goldens;
import dev.sdcond.models.safetensors.SafetensorsFile;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** --embeddings through encode-text and tokenize, against the tools' conditioning of goldens/ti-lora. */
class EmbeddingsCliTest {
    @TempDir
    Path tmp;

    private static String g(String rel) {
        return Goldens.path(rel).toString();
    }

    @Test
    void bothStylesMatchTheirTools() throws Exception {
        JsonNode c = new ObjectMapper().readTree(Goldens.path("ti-lora/ti_reference.json").toFile())
                .get("cases").get("weighted_five");
        for (String tool : new String[] {"a1111", "comfy"}) {
            Path out = tmp.resolve(tool + ".safetensors");
            Run r = CliTest.run("encode-text", "-m", g("clip-tiny-a"), "--preset", "sd15", "--style", tool,
                    "--embeddings", g("ti-lora/embeddings"), "-p", c.get(tool).get("prompt").asText(), "-o",
                    out.toString());
            assertEquals(0, r.code(), r.err());
            try (SafetensorsFile f = SafetensorsFile.open(out);
                    SafetensorsFile golden = SafetensorsFile.open(Goldens.path("ti-lora/ti_hidden.safetensors"));
                    NDManager m = NDManager.newBaseManager()) {
                Goldens.assertClose(golden.load(c.get(tool).get("hidden").asText(), m, DataType.FLOAT32),
                        f.load("hidden_states", m, DataType.FLOAT32).get(0), 1e-4f, tool);
                JsonNode used = new ObjectMapper().readTree(f.metadata().get("embeddings"));
                assertEquals("sksfive", used.get(0).get("name").asText());
                assertEquals(64, used.get(0).get("sha256").asText().length());
            }
        }
    }

    @Test
    void tokenizeShowsWhereTheVectorsGo() throws Exception {
        Run r = CliTest.run("tokenize", "--style", "comfy", "--embeddings", g("ti-lora/embeddings"), "--json", "-p",
                "a photo of embedding:skstwo");
        assertEquals(0, r.code(), r.err());
        JsonNode chunk = new ObjectMapper().readTree(r.out()).get("chunks").get(0);
        assertEquals(2, chunk.get("embeddings").size());
        assertEquals(4, chunk.get("embeddings").get(0).get("position").asInt());
        assertEquals("skstwo", chunk.get("embeddings").get(1).get("embedding").asText());
        assertEquals(1, chunk.get("embeddings").get(1).get("row").asInt());
        assertEquals(0, chunk.get("ids").get(4).asLong(), "id 0 where a vector goes");
        Run a = CliTest.run("tokenize", "--embeddings", g("ti-lora/embeddings"), "-p", "a photo of skstwo");
        assertTrue(a.out().contains("skstwo[0] skstwo[1]"), a.out());
    }
}
