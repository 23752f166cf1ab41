package dev.sdcond.conditioning.prompt;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
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
    void comfyKeepsShortSegmentsWhole() {
        // 72 tokens, then a 5-token weighted segment: it does not fit (72 + 5 > 75) and is under 8 tokens
        String prompt = cats(72) + " (cat cat cat cat cat:1.2)";
        TokenizedPrompt t = new PromptTokenizer(tok, PromptStyle.COMFY).tokenize(prompt);
        assertEquals(2, t.chunks().size());
        assertEquals(72, t.chunks().get(0).tokens().length);
        assertEquals(5, t.chunks().get(1).tokens().length);
        assertEquals(1.2f, t.chunks().get(1).weights()[0]);
        // a long segment (>= 8 tokens) is split at the boundary
        TokenizedPrompt big = new PromptTokenizer(tok, PromptStyle.COMFY).tokenize(cats(72) + " (" + cats(10) + ":1.2)");
        assertEquals(75, big.chunks().get(0).tokens().length);
        assertEquals(7, big.chunks().get(1).tokens().length);
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
        TokenizedPrompt t = new PromptTokenizer(tok, PromptStyle.PLAIN).tokenize(cats(100), ChunkLimit.cutAt(1));
        assertEquals(1, t.chunks().size());
        assertEquals(75, t.tokenCount());
        assertEquals(25, t.droppedTokens());
    }

    @Test
    void theDefaultLimitRefusesAPromptOverSixtyFourChunksAndSaysHowToLiftIt() {
        PromptTokenizer pt = new PromptTokenizer(tok, PromptStyle.A1111);
        String sixtyFour = "cat BREAK ".repeat(63) + "cat";
        assertEquals(64, pt.tokenize(sixtyFour, ChunkLimit.DEFAULT).chunks().size());
        String breaks = "cat BREAK ".repeat(100_000); // 1 MB: 100,000 chunks (A1111 adds no empty last one)
        var e = assertThrows(dev.sdcond.models.InvalidInputException.class,
                () -> pt.tokenize(breaks, ChunkLimit.DEFAULT));
        assertTrue(e.getMessage().contains("100,000 chunks (100,000 tokens") && e.getMessage().contains("limit of 64")
                && e.getMessage().contains("--max-chunks 0"), e.getMessage());
        assertEquals(100_000, pt.tokenize(breaks, ChunkLimit.NONE).chunks().size());
        TokenizedPrompt cut = pt.tokenize(breaks, ChunkLimit.cutAt(3));
        assertEquals(3, cut.chunks().size());
        assertEquals(100_000 - 3, cut.droppedTokens());
        assertEquals(ChunkLimit.DEFAULT, ChunkLimit.parse(ChunkLimit.DEFAULT.words()));
        assertEquals(ChunkLimit.cutAt(2), ChunkLimit.parse("cut:2"));
        assertEquals(ChunkLimit.NONE, ChunkLimit.parse("none"));
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
