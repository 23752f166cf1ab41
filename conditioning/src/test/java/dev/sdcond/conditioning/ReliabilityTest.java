package dev.sdcond.conditioning;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import dev.sdcond.conditioning.prompt.PromptStyle;
import dev.sdcond.conditioning.prompt.PromptSyntaxException;
import dev.sdcond.conditioning.tokenizer.ClipTokenizer;
import dev.sdcond.models.Compute;
import dev.sdcond.models.Goldens;
import dev.sdcond.models.checkpoint.HfCheckpoint;
import dev.sdcond.models.clip.ClipTextModel;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Odd prompts, many threads, many calls. */
class ReliabilityTest {
    private static HfCheckpoint ckpt;
    private static ClipTextModel tower;
    private static ClipTokenizer tok;
    private static TextConditioner cond;

    @BeforeAll
    static void load() {
        ckpt = HfCheckpoint.open(Goldens.path("clip-tiny-a"));
        tower = ckpt.loadText(Compute.CPU);
        tok = ClipTokenizer.bundled();
        cond = new TextConditioner(Preset.SD15, List.of(TextEncoder.of(tower, tok, 49407)));
    }

    @AfterAll
    static void close() {
        tower.close();
        ckpt.close();
        tok.close();
    }

    @Test
    void oddPromptsGiveDocumentedResults() {
        try (NDManager m = NDManager.newBaseManager()) {
            // control characters are whitespace or dropped by the tokenizer's normalisation, never an error
            TextConditioning ctl = cond.encode(m, "a\u0000cat\tand\u0007a\ndog\u001b", null, EncodeOptions.DEFAULT).positive();
            assertEquals(1, ctl.chunks());
            // empty: one chunk of BOS, EOS and padding
            TextConditioning empty = cond.encode(m, "", null, EncodeOptions.DEFAULT).positive();
            assertEquals(0, empty.tokenCounts()[0]);
            assertEquals(ClipTokenizer.EOS, empty.inputIds()[0][1]);
            // 10,000 characters: chunked, nothing dropped
            String longPrompt = "cat, ".repeat(2000);
            TextConditioning big = cond.encode(m, longPrompt, null, EncodeOptions.DEFAULT).positive();
            assertEquals(4000, big.tokenCounts()[0]);
            assertTrue(big.chunks() >= 54, "chunks " + big.chunks());
            assertEquals(0, big.droppedTokens()[0]);
            TextConditioning cut = cond.encode(m, longPrompt, null, EncodeOptions.DEFAULT.withMaxChunks(2)).positive();
            assertEquals(2, cut.chunks());
            assertTrue(cut.droppedTokens()[0] > 3800);
            // unbalanced brackets: tolerated with a warning by default, an error naming the position when strict
            TextConditioning open = cond.encode(m, "a (cat", null, EncodeOptions.DEFAULT).positive();
            assertEquals(1, open.warnings().get(0).size());
            assertEquals(2, open.warnings().get(0).get(0).position());
            PromptSyntaxException e = assertThrows(PromptSyntaxException.class,
                    () -> cond.encode(m, "a (cat", null, EncodeOptions.DEFAULT.withStrictSyntax(true)));
            assertEquals(2, e.position());
            for (PromptStyle s : PromptStyle.values()) {
                cond.encode(m, "((( [[[ ))) ]]] \\ :: (:) ( : 2 ) BREAK BREAK", null, EncodeOptions.DEFAULT.withStyle(s));
            }
        }
    }

    @Test
    void eightThreadsGiveTheSameResultsAsOne() throws Exception {
        List<String> prompts = List.of("a photo of a cat", "a (red:1.3) fox", "[blurry] landscape, 8k",
                "cat ".repeat(100), "", "café crème", "a BREAK b", "((masterpiece))");
        List<float[]> single = new ArrayList<>();
        try (NDManager m = NDManager.newBaseManager()) {
            for (String p : prompts) {
                single.add(cond.encode(m, p, "blurry", EncodeOptions.DEFAULT).positive().hiddenStates().toFloatArray());
            }
        }
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            List<Future<float[]>> futures = new ArrayList<>();
            for (int i = 0; i < 64; i++) {
                String p = prompts.get(i % prompts.size());
                futures.add(pool.submit(() -> {
                    try (NDManager m = NDManager.newBaseManager()) {
                        return cond.encode(m, p, "blurry", EncodeOptions.DEFAULT).positive().hiddenStates().toFloatArray();
                    }
                }));
            }
            for (int i = 0; i < futures.size(); i++) {
                assertArrayEquals(single.get(i % prompts.size()), futures.get(i).get(), "prompt " + i % prompts.size());
            }
        } finally {
            pool.shutdown();
        }
    }

    @Test
    void aThousandEncodesLeaveNothingBehind() {
        try (NDManager root = NDManager.newBaseManager()) {
            for (int i = 0; i < 1000; i++) {
                try (NDManager call = root.newSubManager()) {
                    cond.encode(call, "a photo of a (cat:1.1) number " + i, "blurry", EncodeOptions.DEFAULT);
                }
                if (i % 100 == 0) {
                    assertEquals(0, root.getManagedArrays().size(), "arrays left after call " + i);
                }
            }
            assertEquals(0, root.getManagedArrays().size());
        }
    }

    @Test
    void closingAModelFreesItsWeights() {
        try (HfCheckpoint c = HfCheckpoint.open(Goldens.path("clip-tiny-a")); NDManager m = NDManager.newBaseManager()) {
            ClipTextModel t = c.loadText(Compute.CPU);
            assertTrue(t.isOpen());
            t.close();
            assertFalse(t.isOpen());
            assertThrows(IllegalStateException.class, () -> t.forward(m, new long[][] {{49406, 49407}},
                    dev.sdcond.models.clip.OutputRequest.pooledOnly()));
        }
    }
}
