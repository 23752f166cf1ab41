package dev.sdcond.conditioning.prompt;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sdcond.conditioning.tokenizer.ClipTokenizer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class ChunkingTest {
    private static ClipTokenizer tok;

    @BeforeAll
    static void load() {
        tok = ClipTokenizer.bundled();
    }

    @AfterAll
    static void close() {
        tok.close();
    }

    /** "cat" is one token (2368); n of them separated by spaces are n tokens. */
    private static String cats(int n) {
        return "cat ".repeat(n).strip();
    }

    @Test
    void oneTokenEach() {
        assertArrayEquals(new long[] {2368, 2368}, tok.tokenize(cats(2)));
        assertArrayEquals(new long[] {2368, PromptTokenizer.COMMA, 2368}, tok.tokenize("cat, cat"));
    }

    @Test
    void seventyFiveTokensFitOneChunkSeventySixNeedTwo() {
        PromptTokenizer a = new PromptTokenizer(tok, PromptStyle.A1111);
        assertEquals(1, a.tokenize(cats(75)).chunks().size());
        TokenizedPrompt t = a.tokenize(cats(76));
        assertEquals(2, t.chunks().size());
        assertEquals(75, t.chunks().get(0).tokens().length);
        assertEquals(1, t.chunks().get(1).tokens().length);
        assertEquals(76, t.tokenCount());
        long[] second = t.chunks().get(1).ids77(ClipTokenizer.EOS);
        assertEquals(ClipTokenizer.BOS, second[0]);
        assertEquals(2368, second[1]);
        assertEquals(ClipTokenizer.EOS, second[2]);
    }

    @Test
    void breakStartsANewChunk() {
        TokenizedPrompt t = new PromptTokenizer(tok, PromptStyle.A1111).tokenize("cat cat BREAK cat");
        assertEquals(2, t.chunks().size());
        assertArrayEquals(new long[] {2368, 2368}, t.chunks().get(0).tokens());
        assertArrayEquals(new long[] {2368}, t.chunks().get(1).tokens());
    }

    @Test
    void a1111MovesTextAfterARecentCommaToTheNextChunk() {
        // 70 cats, a comma, then 10 cats: the chunk fills at 75 with the comma 4 tokens back
        String prompt = cats(70) + ", " + cats(10);
        TokenizedPrompt t = new PromptTokenizer(tok, PromptStyle.A1111).tokenize(prompt);
        assertEquals(71, t.chunks().get(0).tokens().length, "cut after the comma");
        assertEquals(PromptTokenizer.COMMA, t.chunks().get(0).tokens()[70]);
        assertEquals(10, t.chunks().get(1).tokens().length);
        TokenizedPrompt off = new PromptTokenizer(tok, PromptStyle.A1111, false, 0).tokenize(prompt);
        assertEquals(75, off.chunks().get(0).tokens().length, "backtrack 0 = plain windows");
        TokenizedPrompt plain = new PromptTokenizer(tok, PromptStyle.PLAIN).tokenize(prompt);
        assertEquals(75, plain.chunks().get(0).tokens().length);
    }

    @Test
    void comfyKeepsShortWordsWhole() {
        // ComfyUI's unit is a word (split at spaces), not a weighted segment: after 72 tokens, a weighted segment of
        // five one-token words fills the chunk with three of them, and the other two start the next chunk
        String prompt = cats(72) + " (cat cat cat cat cat:1.2)";
        TokenizedPrompt t = new PromptTokenizer(tok, PromptStyle.COMFY).tokenize(prompt);
        assertEquals(2, t.chunks().size());
        assertEquals(75, t.chunks().get(0).tokens().length);
        assertEquals(2, t.chunks().get(1).tokens().length);
        assertEquals(1.2f, t.chunks().get(0).weights()[74]);
        assertEquals(1.2f, t.chunks().get(1).weights()[0]);
        // a word of 2..7 tokens that does not fit moves whole to the next chunk
        String word = "sksone";
        int n = tok.tokenize(word).length;
        assertTrue(n >= 2 && n < 8, word + " is " + n + " tokens");
        TokenizedPrompt moved = new PromptTokenizer(tok, PromptStyle.COMFY).tokenize(cats(74) + " " + word);
        assertEquals(74, moved.chunks().get(0).tokens().length);
        assertEquals(n, moved.chunks().get(1).tokens().length);
        // also when the word is inside a longer weighted segment (which once counted as one group of 9 tokens)
        TokenizedPrompt inSegment = new PromptTokenizer(tok, PromptStyle.COMFY)
                .tokenize(cats(70) + " (cat cat cat cat " + word + ":1.1)");
        assertEquals(74, inSegment.chunks().get(0).tokens().length);
        // a word of 8 tokens or more is split at the boundary
        String longWord = "pneumonoultramicroscopicsilicovolcanoconiosis";
        int m = tok.tokenize(longWord).length;
        assertTrue(m >= 8, longWord + " is " + m + " tokens");
        TokenizedPrompt split = new PromptTokenizer(tok, PromptStyle.COMFY).tokenize(cats(72) + " " + longWord);
        assertEquals(75, split.chunks().get(0).tokens().length);
        assertEquals(m - 3, split.chunks().get(1).tokens().length);
        // newlines separate words as spaces do
        assertEquals(t.chunks(), new PromptTokenizer(tok, PromptStyle.COMFY).tokenize(prompt.replace(' ', '\n')).chunks());
    }

    @Test
    void weightsFollowTheTokens() {
        TokenizedPrompt t = new PromptTokenizer(tok, PromptStyle.A1111).tokenize("a (cat:1.5) [dog]");
        Chunk c = t.chunks().get(0);
        assertArrayEquals(new long[] {320, 2368, 1929}, c.tokens());
        assertArrayEquals(new float[] {1f, 1.5f, (float) (1 / 1.1)}, c.weights());
        float[] w77 = c.weights77();
        assertEquals(1f, w77[0]);
        assertEquals(1.5f, w77[2]);
        assertEquals(1f, w77[4]);
    }

    @Test
    void truncationCountsDroppedTokens() {
        TokenizedPrompt t = new PromptTokenizer(tok, PromptStyle.PLAIN).tokenize(cats(100), 1);
        assertEquals(1, t.chunks().size());
        assertEquals(75, t.tokenCount());
        assertEquals(25, t.droppedTokens());
    }

    @Test
    void emptyPromptIsOneEmptyChunk() {
        for (PromptStyle s : PromptStyle.values()) {
            TokenizedPrompt t = new PromptTokenizer(tok, s).tokenize("");
            assertEquals(1, t.chunks().size());
            assertEquals(0, t.tokenCount());
        }
    }
}
