package dev.sdcond.models.t5;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.SparseFormat;
import dev.sdcond.models.InvalidInputException;
import dev.sdcond.models.Precision;
import dev.sdcond.models.kernels.TorchScriptKernels;
import dev.sdcond.models.safetensors.DType;
import dev.sdcond.models.weights.WeightReader;

/**
 * How the T5 tower keeps its matrices (the embedding table and the projections) and multiplies by them, per
 * precision. T5-XXL has 4.7 billion parameters: 9.5 GB in 16 bits, 19 GB widened to float32, so the weights stay in
 * 16 bits wherever the precision allows, and the activations between products are float32 in every precision (the
 * residual stream, the RMS norms, attention, the gate):
 * <ul>
 *   <li>{@code float32}: each matrix is kept in the dtype it is stored in when that is F16 or BF16, and widened to
 *       float32 for each product only; the results equal those of weights widened at load. Random (builtin) weights
 *       are made in bfloat16, the dtype the real T5-XXL is shipped in.</li>
 *   <li>{@code bfloat16}: matrices in bfloat16, products in bfloat16 (native on CPUs with AVX512-BF16 or AMX).</li>
 *   <li>{@code float16}: matrices in float16, products in float16 clamped to its finite range (as transformers clamps
 *       T5's float16 hidden states), and the feed-forward output projection {@code wo} in float32, as transformers
 *       keeps it: T5-XXL's activations overflow float16 otherwise.</li>
 * </ul>
 * The vectors (norm weights, the position bias table) are float32.
 */
final class T5Weights {
    private final Precision precision;
    private final java.util.concurrent.atomic.AtomicLong keptBytes = new java.util.concurrent.atomic.AtomicLong();

    T5Weights(Precision precision) {
        if (precision != Precision.FLOAT32 && !TorchScriptKernels.available()) {
            throw new InvalidInputException("the T5 encoder computes in " + precision + " through sdcond's TorchScript"
                    + " kernels, which this libtorch could not load: use float32");
        }
        this.precision = precision;
    }

    /**
     * Takes a matrix in the dtype it is kept in.
     *
     * @param r the reader (float32)
     * @param name its Hugging Face name
     * @param outputProjection whether it is the feed-forward's {@code wo} (float32 under float16)
     * @param shape its shape
     * @return the matrix, in the reader's manager
     */
    NDArray matrix(WeightReader r, String name, boolean outputProjection, long... shape) {
        NDArray f32 = r.take(name, shape);
        if (r.headerOnly()) {
            return f32;
        }
        if (!TorchScriptKernels.available()) {
            keptBytes.addAndGet(f32.size() * 4);
            return f32;
        }
        Kept keep = switch (precision) {
            case FLOAT32 -> r.storedType(name).map(Kept::of).orElse(Kept.BFLOAT16); // empty: generated
            case BFLOAT16 -> Kept.BFLOAT16;
            case FLOAT16 -> outputProjection ? Kept.FLOAT32 : Kept.FLOAT16;
        };
        keptBytes.addAndGet(f32.size() * (keep == Kept.FLOAT32 ? 4 : 2));
        if (keep == Kept.FLOAT32) {
            return f32;
        }
        try (f32) {
            return keep == Kept.BFLOAT16 ? TorchScriptKernels.toBFloat16(f32) : f32.toType(DataType.FLOAT16, true);
        }
    }

    /** The dtype a matrix is kept in. */
    private enum Kept {
        FLOAT32, FLOAT16, BFLOAT16;

        /** Under float32: a 16-bit stored weight stays as it is, any other is widened. */
        static Kept of(DType stored) {
            return stored == DType.F16 ? FLOAT16 : stored == DType.BF16 ? BFLOAT16 : FLOAT32;
        }
    }

    /**
     * The bytes the matrices taken so far are kept in.
     *
     * @return their bytes
     */
    long keptBytes() {
        return keptBytes.get();
    }

    /**
     * {@code x W^T} in this precision.
     *
     * @param x [N, in] float32
     * @param w [out, in] as kept
     * @return [N, out] float32
     */
    NDArray linear(NDArray x, NDArray w) {
        if (!TorchScriptKernels.available()) {
            return ai.djl.nn.core.Linear.linear(x, w).singletonOrThrow();
        }
        return precision == Precision.FLOAT32 ? TorchScriptKernels.linearUpcast(x, w)
                : TorchScriptKernels.linearIn(x, w);
    }

    /**
     * Rows of the embedding table.
     *
     * @param ids token ids (int64)
     * @param table [V, d] as kept
     * @return [ids, d] float32
     */
    NDArray embed(NDArray ids, NDArray table) {
        if (!TorchScriptKernels.available()) {
            return ai.djl.nn.core.Embedding.embedding(ids, table, SparseFormat.DENSE).singletonOrThrow();
        }
        return TorchScriptKernels.embeddingFloat(ids, table);
    }
}
