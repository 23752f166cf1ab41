package dev.sdcond.conditioning;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import dev.sdcond.conditioning.prompt.Chunk;
import dev.sdcond.conditioning.prompt.PromptStyle;
import java.util.List;

/** How each tool applies prompt weights to an encoder's hidden states: one strategy per prompt style. */
enum PromptWeighting {
    /** Plain prompts: weights are never applied. */
    NONE {
        @Override
        NDArray apply(NDManager sub, NDArray z, List<Chunk> rows) {
            return z;
        }
    },
    /** A1111: {@code z * w}, then scaled so each chunk's mean is what it was. */
    A1111 {
        @Override
        NDArray apply(NDManager sub, NDArray z, List<Chunk> rows) {
            int r = rows.size();
            NDArray weights = weights(sub, z, rows);
            NDArray mean0 = z.reshape(r, -1).mean(new int[] {1}, true).reshape(r, 1, 1);
            NDArray zw = z.mul(weights);
            NDArray mean1 = zw.reshape(r, -1).mean(new int[] {1}, true).reshape(r, 1, 1);
            return zw.mul(mean0.div(mean1));
        }
    },
    /**
     * ComfyUI: {@code (z - z_empty) * w + z_empty} where {@code w != 1}, {@code z_empty} being the empty prompt's
     * hidden states, which the plan puts in the last row ({@link ConditioningPlan#needsEmptyRow}).
     */
    COMFY {
        @Override
        NDArray apply(NDManager sub, NDArray z, List<Chunk> rows) {
            int r = rows.size();
            boolean[] unweighted = new boolean[r * 77];
            for (int i = 0; i < r; i++) {
                float[] wi = rows.get(i).weights77();
                for (int j = 0; j < 77; j++) {
                    unweighted[i * 77 + j] = wi[j] == 1f;
                }
            }
            NDArray keep = sub.create(unweighted, new Shape(r, 77, 1)).toDevice(z.getDevice(), false)
                    .broadcast(z.getShape());
            NDArray empty = z.get(new NDIndex("{}:{}", r - 1, r)); // [1, 77, D]
            NDArray interpolated = z.sub(empty).mul(weights(sub, z, rows)).add(empty);
            return NDArrays.where(keep, z, interpolated);
        }
    };

    /**
     * Weights an encoder's hidden states.
     *
     * @param sub the call's manager
     * @param z [rows, 77, D] float32
     * @param rows the chunks the rows were encoded from
     * @return the weighted hidden states, same shape
     */
    abstract NDArray apply(NDManager sub, NDArray z, List<Chunk> rows);

    /** The strategy of a prompt style. */
    static PromptWeighting of(PromptStyle style) {
        return switch (style) {
            case A1111 -> A1111;
            case COMFY -> COMFY;
            case PLAIN -> NONE;
        };
    }

    /** The rows' per-token weights, [rows, 77, D] on z's device. */
    private static NDArray weights(NDManager sub, NDArray z, List<Chunk> rows) {
        int r = rows.size();
        float[] w = new float[r * 77];
        for (int i = 0; i < r; i++) {
            System.arraycopy(rows.get(i).weights77(), 0, w, i * 77, 77);
        }
        return sub.create(w, new Shape(r, 77, 1)).toDevice(z.getDevice(), false).broadcast(z.getShape());
    }
}
