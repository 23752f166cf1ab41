package dev.sdcond.models.clip;

import ai.djl.ndarray.NDArray;
import dev.sdcond.models.LinearKernel;
import dev.sdcond.models.weights.WeightReader;

/**
 * {@code y = x W^T + b}.
 *
 * @param weight [out, in], or oneDNN's packed form of it when {@code packed}
 * @param bias [out], or null for none
 * @param kernel how the weight is kept: {@code PLAIN} as stored, or packed once at load for the layers' products
 *     ({@link ClipEncoderLayer}), {@code PACKED} for oneDNN, {@code MKL} for MKL's GEMM (CPU, float32);
 *     {@link #forward} takes plain weights only
 */
record Linear(NDArray weight, NDArray bias, LinearKernel kernel) {

    Linear(NDArray weight, NDArray bias) {
        this(weight, bias, LinearKernel.PLAIN);
    }

    static Linear load(WeightReader r, String name, long out, long in) {
        return new Linear(r.take(name + ".weight", out, in), r.take(name + ".bias", out));
    }

    static Linear loadNoBias(WeightReader r, String name, long out, long in) {
        return new Linear(r.take(name + ".weight", out, in), null);
    }

    /**
     * This projection as the layers' matrix products take it (closes this one's arrays where new ones replace them):
     * in the kernel the tower's plan decides for its shape on this machine, packed or in bfloat16 where that says so.
     *
     * @param role the projection's name in the tower's kernel report ({@code qkv}, {@code out_proj}, {@code fc1},
     *     {@code fc2})
     * @param post the activation the layer applies to the product: {@code none}, {@code gelu} or {@code swish}
     * @param tokens the tower's sequence length (MKL's packing is for products of that many rows)
     */
    Linear forProducts(WeightReader r, String role, String post, int tokens) {
        if (r.headerOnly()) {
            return new Linear(r.forProducts(weight), r.forProducts(bias));
        }
        dev.sdcond.models.kernels.KernelPlan.Prepared p = r.kernels().prepare(role, weight, bias, post, tokens);
        return new Linear(p.weight(), p.bias(), p.kernel());
    }

    /**
     * @param x [N, in]: 2-D, so that libtorch's C++ linear fuses the bias into the product (addmm); for more axes it
     *     runs matmul and then a separate bias pass (the encoder keeps its activations flat for this)
     * @return [N, out]
     */
    NDArray forward(NDArray x) {
        return bias == null
                ? ai.djl.nn.core.Linear.linear(x, weight).singletonOrThrow()
                : ai.djl.nn.core.Linear.linear(x, weight, bias).singletonOrThrow();
    }

    /**
     * {@link #forward} one row at a time, so that a row's bits do not depend on the rows around it: libtorch's plain
     * product (MKL's sgemm) takes another path for one row than for several, which rounds differently (a pooled vector
     * 7e-7 apart between a batch of one and of four). For the pooled projections, whose rows are the batch's items.
     *
     * @param x [N, in]
     * @return [N, out], in the manager of {@code x}
     */
    NDArray forwardEachRow(NDArray x) {
        long n = x.getShape().get(0);
        if (n == 1) {
            return forward(x);
        }
        ai.djl.ndarray.NDList rows = new ai.djl.ndarray.NDList();
        try {
            for (long i = 0; i < n; i++) {
                try (NDArray row = x.get(new ai.djl.ndarray.index.NDIndex("{}:{}", i, i + 1))) {
                    rows.add(forward(row));
                }
            }
            return ai.djl.ndarray.NDArrays.concat(rows, 0);
        } finally {
            rows.close();
        }
    }
}
