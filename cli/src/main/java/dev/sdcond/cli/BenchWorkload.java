package dev.sdcond.cli;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.sdcond.conditioning.tokenizer.ClipTokenizer;
import dev.sdcond.models.clip.ClipOutput;
import dev.sdcond.models.clip.ClipTextModel;
import dev.sdcond.models.clip.ClipVisionModel;
import dev.sdcond.models.clip.OutputRequest;
import java.util.Arrays;
import java.util.function.Supplier;

/**
 * One forward pass that {@code bench} times, with the shapes of its matrix products.
 *
 * @param forward runs the pass and copies its outputs to the host; returns the bytes copied
 * @param shapes the pass's matrix products
 */
record BenchWorkload(Supplier<Integer> forward, GemmFloor.Shapes shapes) {

    /** A text tower on {@code batch} prompts of 18 tokens padded to 77: last hidden state and pooled vector. */
    static BenchWorkload text(NDManager manager, ClipTextModel tower, int batch) {
        long[][] ids = new long[batch][77];
        for (long[] row : ids) {
            Arrays.fill(row, ClipTokenizer.EOS);
            row[0] = ClipTokenizer.BOS;
            for (int i = 1; i < 20; i++) {
                row[i] = 320 + i;
            }
        }
        Supplier<Integer> forward = () -> {
            try (NDManager m = manager.newSubManager()) {
                ClipOutput o = tower.forward(m, ids, OutputRequest.pooledOnly());
                return toHost(o.lastHiddenState()) + toHost(o.pooled());
            }
        };
        return new BenchWorkload(forward, new GemmFloor.Shapes(batch, 77, tower.width(),
                tower.config().intermediateSize(), tower.config().numAttentionHeads(), tower.numLayers(), 0));
    }

    /** A vision tower on {@code batch} random images: penultimate hidden states and image_embeds (IP-Adapter). */
    static BenchWorkload vision(NDManager manager, ClipVisionModel tower, int batch) {
        int s = tower.config().imageSize();
        NDArray px = manager.randomNormal(new Shape(batch, 3, s, s));
        Supplier<Integer> forward = () -> {
            try (NDManager m = manager.newSubManager()) {
                ClipOutput o = tower.forward(m, px, OutputRequest.hiddenStates(-2).withPooled());
                return toHost(o.hiddenState(-2)) + toHost(o.projected());
            }
        };
        return new BenchWorkload(forward, new GemmFloor.Shapes(batch, tower.config().numPositions(), tower.width(),
                tower.config().intermediateSize(), tower.config().numAttentionHeads(), tower.numLayers(),
                tower.config().patchSize()));
    }

    /** Copies an output to the host as it is (no dtype conversion, as a caller writing it out would): bytes copied. */
    private static int toHost(NDArray a) {
        return a.toByteBuffer(true).remaining(); // direct: no second copy into the Java heap
    }
}
