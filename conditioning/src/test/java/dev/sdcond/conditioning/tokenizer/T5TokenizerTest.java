package dev.sdcond.conditioning.tokenizer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sdcond.models.Goldens;
import dev.sdcond.models.InvalidInputException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Every case of goldens/t5/tokenizer/cases.json: transformers' T5TokenizerFast ids, unpadded and at 77/256/512. */
class T5TokenizerTest {
    @Test
    void everyCaseMatchesTransformers() throws IOException {
        JsonNode cases = new ObjectMapper().readTree(Goldens.path("t5/tokenizer/cases.json").toFile()).get("cases");
        assertTrue(cases.size() >= 25, "cases: " + cases.size());
        try (T5Tokenizer t = T5Tokenizer.fromFolder(Goldens.path("t5/tokenizer"))) {
            for (JsonNode c : cases) {
                String prompt = c.get("prompt").asText();
                String name = c.get("name").asText();
                assertArrayEquals(longs(c.get("ids")), t.ids(prompt), name);
                for (int length : new int[] {77, 256, 512}) {
                    assertArrayEquals(longs(c.get("ids" + length)), t.ids(prompt, length), name + " at " + length);
                }
            }
        }
    }

    /**
     * A tokenizer.json serialized with Metaspace's prepend_scheme "first" (as ComfyUI's T5 copy is) still gives
     * transformers' ids, which transformers 5.x makes with "always" whatever the file says: "b" right after a typed
     * {@code </s>} gets its "▁" (case eos_in_text).
     */
    @Test
    void aFirstPrependSchemeFileGivesTransformersIds(@TempDir Path dir) throws IOException {
        String json = Files.readString(Goldens.path("t5/tokenizer/tokenizer.json"));
        assertTrue(json.contains("\"prepend_scheme\": \"always\"") || json.contains("\"prepend_scheme\":\"always\""));
        Files.writeString(dir.resolve("tokenizer.json"), json.replaceFirst("\"prepend_scheme\": ?\"always\"",
                "\"prepend_scheme\": \"first\""));
        JsonNode cases = new ObjectMapper().readTree(Goldens.path("t5/tokenizer/cases.json").toFile()).get("cases");
        try (T5Tokenizer t = T5Tokenizer.fromFolder(dir)) {
            for (JsonNode c : cases) {
                assertArrayEquals(longs(c.get("ids")), t.ids(c.get("prompt").asText()), c.get("name").asText());
            }
        }
    }

    @Test
    void handWrittenBoundaries() {
        try (T5Tokenizer t = T5Tokenizer.fromFolder(Goldens.path("t5/tokenizer"))) {
            assertArrayEquals(new long[] {1}, t.ids(""));
            assertArrayEquals(new long[] {1, 0, 0}, t.ids("", 3));
            long[] cut = t.ids("a photo of a cat", 3); // content cut to 2 ids, </s> kept last
            assertEquals(3, cut.length);
            assertEquals(T5Tokenizer.EOS, cut[2]);
            assertArrayEquals(new long[] {t.ids("a photo of a cat")[0], t.ids("a photo of a cat")[1]},
                    new long[] {cut[0], cut[1]});
        }
    }

    @Test
    void aFolderWithOnlyTheSentencePieceModelSaysHowToGetTokenizerJson(@TempDir Path dir) throws IOException {
        Files.write(dir.resolve("spiece.model"), new byte[] {1, 2, 3});
        InvalidInputException e = assertThrows(InvalidInputException.class, () -> T5Tokenizer.fromFolder(dir));
        assertTrue(e.getMessage().contains("spiece.model") && e.getMessage().contains("tokenizer.json")
                && e.getMessage().contains("save_pretrained"), e.getMessage());
        Files.delete(dir.resolve("spiece.model"));
        assertTrue(assertThrows(InvalidInputException.class, () -> T5Tokenizer.fromFolder(dir)).getMessage()
                .contains("no tokenizer.json"));
    }

    private static long[] longs(JsonNode a) {
        long[] out = new long[a.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = a.get(i).asLong();
        }
        return out;
    }
}
