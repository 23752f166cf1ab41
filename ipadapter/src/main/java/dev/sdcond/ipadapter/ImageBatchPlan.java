package dev.sdcond.ipadapter;

import ai.djl.ndarray.NDArray;

/**
 * The row layout of one image call, as {@code ConditioningPlan} is for text: the images in rows {@code 0..B-1}, then,
 * when the unconditional embeddings need encoding (zero pixels, a black or a negative image), that input once in row
 * {@code B}, its outputs repeated for every image; {@link Uncond.Zeros} encodes nothing and zeroes the outputs.
 *
 * @param images B
 * @param uncond how the negative is made, or null for none
 */
record ImageBatchPlan(int images, Uncond uncond) {

    /** Whether the forward pass takes the unconditional input as its last row. */
    boolean encodesUncond() {
        return uncond != null && !(uncond instanceof Uncond.Zeros);
    }

    /**
     * The forward pass's input.
     *
     * @param pixels [B, 3, S, S]
     * @param uncondPixels [1, 3, S, S], or null when {@link #encodesUncond()} is false
     */
    NDArray input(NDArray pixels, NDArray uncondPixels) {
        return encodesUncond() ? pixels.concat(uncondPixels, 0) : pixels;
    }

    /**
     * One output of the forward pass split into the images' rows and their negatives.
     *
     * @param all [rows, ...] (null for an output the tower does not have)
     * @return {conditional [B, ...], unconditional [B, ...] or null}
     */
    NDArray[] split(NDArray all) {
        if (all == null) {
            return new NDArray[] {null, null};
        }
        if (uncond instanceof Uncond.Zeros) {
            return new NDArray[] {all, all.zerosLike()};
        }
        if (!encodesUncond()) {
            return new NDArray[] {all, null};
        }
        NDArray one = all.get(images + ":" + (images + 1));
        long[] reps = new long[one.getShape().dimension()];
        java.util.Arrays.fill(reps, 1);
        reps[0] = images;
        return new NDArray[] {all.get("0:" + images), one.tile(reps)};
    }
}
