package dev.sdcond.models.clip;

import static dev.sdcond.models.Goldens.assertClose;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.sdcond.models.Compute;
import dev.sdcond.models.Goldens;
import dev.sdcond.models.checkpoint.HfCheckpoint;
import java.util.NoSuchElementException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class LayerSelectionTest {
    private static final String G = "clip-text-tiny-b/golden_text_prompts.safetensors";
    private static HfCheckpoint ckpt;
    private static ClipTextModel tower; // 5 layers

    @BeforeAll
    static void load() {
        ckpt = HfCheckpoint.open(Goldens.path("clip-text-tiny-b"));
        tower = ckpt.loadText(Compute.CPU);
    }

    @AfterAll
    static void close() {
        tower.close();
        ckpt.close();
    }

    @Test
    void partialForwardEqualsFullForward() {
        try (NDManager m = NDManager.newBaseManager()) {
            long[][] ids = Goldens.readIds(m, G, "input_ids");
            ClipOutput full = tower.forward(m, ids, OutputRequest.everything());
            for (int i = -6; i <= 5; i++) {
                ClipOutput part = tower.forward(m, ids, OutputRequest.hiddenStates(i));
                assertEquals(1, part.hiddenStates().size());
                assertClose(full.hiddenState(i), part.hiddenState(i), 0f, "hidden_states[" + i + "]");
            }
        }
    }

    @Test
    void negativeIndicesCountFromTheEnd() {
        try (NDManager m = NDManager.newBaseManager()) {
            long[][] ids = Goldens.readIds(m, G, "input_ids");
            ClipOutput out = tower.forward(m, ids, OutputRequest.hiddenStates(-2, 0));
            assertClose(Goldens.read(m, G, "hidden_states.4"), out.hiddenState(-2), Goldens.ATOL, "penultimate");
            assertClose(Goldens.read(m, G, "hidden_states.0"), out.hiddenState(-6), Goldens.ATOL, "embeddings");
            assertEquals(2, out.hiddenStates().size());
        }
    }

    @Test
    void outOfRangeIndicesAreRejected() {
        try (NDManager m = NDManager.newBaseManager()) {
            long[][] ids = {{49406, 49407}};
            for (int bad : new int[] {6, 7, -7, 100, Integer.MIN_VALUE}) {
                dev.sdcond.models.InvalidInputException e = assertThrows(dev.sdcond.models.InvalidInputException.class,
                        () -> tower.forward(m, ids, OutputRequest.hiddenStates(bad)));
                assertTrue(e.getMessage().contains("valid: -6..5"), e.getMessage());
            }
        }
    }

    @Test
    void unrequestedOutputsAreAnErrorNotANull() {
        try (NDManager m = NDManager.newBaseManager()) {
            ClipOutput out = tower.forward(m, new long[][] {{49406, 49407}}, OutputRequest.hiddenStates(-1));
            assertThrows(NoSuchElementException.class, () -> out.hiddenState(1));
            assertThrows(NoSuchElementException.class, out::pooled);
        }
    }

    @Test
    void badIdsAreRejected() {
        try (NDManager m = NDManager.newBaseManager()) {
            assertThrows(IllegalArgumentException.class,
                    () -> tower.forward(m, new long[][] {{49408}}, OutputRequest.pooledOnly()));
            assertThrows(IllegalArgumentException.class,
                    () -> tower.forward(m, new long[][] {new long[78]}, OutputRequest.pooledOnly()));
            assertThrows(IllegalArgumentException.class,
                    () -> tower.forward(m, new long[][] {{1, 2}, {1}}, OutputRequest.pooledOnly()));
        }
    }

    @Test
    void shorterSequencesRunWithACausalMask() {
        // Causal attention: the first k positions of a longer sequence equal the same k-token sequence.
        try (NDManager m = NDManager.newBaseManager()) {
            long[][] ids = Goldens.readIds(m, G, "input_ids");
            long[][] first8 = {java.util.Arrays.copyOf(ids[1], 8)};
            NDArray shortOut = tower.forward(m, first8, OutputRequest.hiddenStates(-1)).hiddenState(-1);
            NDArray longOut = tower.forward(m, new long[][] {ids[1]}, OutputRequest.hiddenStates(-1)).hiddenState(-1);
            // The same math over 8 rows and over 77 runs through differently blocked products and attention, so it
            // rounds differently: up to 1.1e-5 measured (Zen 5, kernels chosen by `auto`), on values up to 6. The
            // bound is the goldens' own for a correct float32 implementation (testdata/goldens/README.md).
            assertClose(longOut.get(":, :8, :"), shortOut, 1e-4f, "prefix");
        }
    }

    @Test
    void forwardLeavesNothingInTheCallersManagerButTheOutputs() {
        try (NDManager m = NDManager.newBaseManager()) {
            long[][] ids = Goldens.readIds(m, G, "input_ids");
            try (NDManager caller = m.newSubManager()) {
                ClipOutput out = tower.forward(caller, ids, OutputRequest.hiddenStates(-2).withPooled());
                // hidden_states[-2], last_hidden_state, pooled, text_embeds
                assertEquals(4, caller.getManagedArrays().size());
                assertTrue(out.projected().getManager() == caller);
            }
        }
    }
}
