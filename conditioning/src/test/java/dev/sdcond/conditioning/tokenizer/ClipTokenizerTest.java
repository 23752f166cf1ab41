package dev.sdcond.conditioning.tokenizer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sdcond.models.Goldens;
import dev.sdcond.models.InvalidInputException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ClipTokenizerTest {
    private static JsonNode cases;
    private static ClipTokenizer bundled;
    private static ClipTokenizer fromJson;
    private static ClipTokenizer fromVocab;

    @TempDir
    Path tmp;

    @BeforeAll
    static void load() throws IOException {
        cases = new ObjectMapper().readTree(Goldens.path("tokenizer/cases.json").toFile()).get("cases");
        bundled = ClipTokenizer.bundled();
        fromJson = ClipTokenizer.fromTokenizerJson(Goldens.path("tokenizer/tokenizer.json"));
        fromVocab = ClipTokenizer.fromVocabAndMerges(Goldens.path("tokenizer/vocab.json"),
                Goldens.path("tokenizer/merges.txt"));
    }

    @AfterAll
    static void close() {
        bundled.close();
        fromJson.close();
        fromVocab.close();
    }

    private static long[] longs(JsonNode array) {
        long[] out = new long[array.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = array.get(i).asLong();
        }
        return out;
    }

    @Test
    void everyGoldenCaseIsReproducedByEveryLoadingPath() {
        List<String> failures = new ArrayList<>();
        int n = 0;
        for (JsonNode c : cases) {
            String prompt = c.get("prompt").asText();
            for (ClipTokenizer t : List.of(bundled, fromJson, fromVocab)) {
                n++;
                check(failures, t, prompt, "ids", longs(c.get("ids")), t.ids(prompt));
                check(failures, t, prompt, "ids77_pad_eos", longs(c.get("ids77_pad_eos")), t.ids77(prompt, ClipTokenizer.EOS));
                check(failures, t, prompt, "ids77_pad_zero", longs(c.get("ids77_pad_zero")), t.ids77(prompt, 0));
            }
        }
        assertTrue(n > 0);
        assertTrue(failures.isEmpty(), failures.size() + " mismatches:\n" + String.join("\n", failures));
    }

    private static void check(List<String> failures, ClipTokenizer t, String prompt, String what, long[] expected,
            long[] actual) {
        if (!java.util.Arrays.equals(expected, actual)) {
            failures.add(t.source() + " " + what + " for " + prompt + ": expected " + java.util.Arrays.toString(expected)
                    + " got " + java.util.Arrays.toString(actual));
        }
    }

    @Test
    void windowKeepsEosLast() {
        long[] tokens = new long[100];
        java.util.Arrays.fill(tokens, 320);
        long[] w = ClipTokenizer.window(tokens, 0, 0);
        assertTrue(w.length == 77 && w[0] == ClipTokenizer.BOS && w[76] == ClipTokenizer.EOS && w[75] == 320);
        long[] tail = ClipTokenizer.window(tokens, 75, 0);
        assertArrayEquals(new long[] {ClipTokenizer.BOS, 320, 320}, java.util.Arrays.copyOf(tail, 3));
        assertTrue(tail[26] == ClipTokenizer.EOS && tail[27] == 0);
    }

    @Test
    void malformedFilesGiveClearErrors() throws IOException {
        Path v = tmp.resolve("vocab.json");
        Path m = tmp.resolve("merges.txt");
        Files.writeString(v, "[1,2]");
        Files.writeString(m, "#version: 0.2\na b\n");
        assertTrue(assertThrows(InvalidInputException.class, () -> ClipTokenizer.fromVocabAndMerges(v, m))
                .getMessage().startsWith(v.toString()));
        Files.writeString(v, "{\"a\": 0, \"b\": 1, \"ab\": 2}");
        assertTrue(assertThrows(InvalidInputException.class, () -> ClipTokenizer.fromVocabAndMerges(v, m))
                .getMessage().contains("<|startoftext|>"));
        Files.writeString(m, "#version: 0.2\na b c\n");
        assertTrue(assertThrows(InvalidInputException.class, () -> ClipTokenizer.fromVocabAndMerges(v, m))
                .getMessage().contains("line 2"));
        Path j = tmp.resolve("tokenizer.json");
        Files.writeString(j, "{\"model\": {\"type\": \"WordPiece\"}}");
        assertTrue(assertThrows(InvalidInputException.class, () -> ClipTokenizer.fromTokenizerJson(j))
                .getMessage().contains("WordPiece"));
        Files.writeString(j, "{oops");
        assertTrue(assertThrows(InvalidInputException.class, () -> ClipTokenizer.fromTokenizerJson(j))
                .getMessage().contains("JSON"));
        assertThrows(InvalidInputException.class, () -> ClipTokenizer.fromFolder(tmp.resolve("nothing")));
    }

    @org.junit.jupiter.api.Test
    void theBundledTokenizerIsBuiltOncePerProcessAndSurvivesClose() {
        ClipTokenizer a = ClipTokenizer.bundled();
        a.close();
        org.junit.jupiter.api.Assertions.assertSame(a, ClipTokenizer.bundled());
        org.junit.jupiter.api.Assertions.assertEquals(2368, a.tokenize("cat")[0], "still usable after close()");
    }
}
