package dev.sdcond.models.kernels;

import ai.djl.ndarray.NDArray;
import dev.sdcond.models.LinearKernel;

/**
 * One way of running a projection's matrix product, as a tower keeps it after loading: the user-facing
 * {@link LinearKernel}s that pack weights, and bfloat16 products. {@link #PLAIN} is the reference every other one is
 * checked against on the machine it runs on ({@link ProductCheck}).
 */
public enum ProductKernel {
    /** libtorch's {@code F.linear} on the weight as stored, in the tower's load dtype: the reference. */
    PLAIN(LinearKernel.PLAIN, "plain"),
    /** oneDNN's inner product on a weight reordered once at load ({@link TorchScriptKernels#packLinear}). */
    PACKED(LinearKernel.PACKED, "packed"),
    /** MKL's GEMM on a weight packed once for the tower's sequence length ({@link TorchScriptKernels#packMkl}). */
    MKL(LinearKernel.MKL, "mkl"),
    /** libtorch's {@code F.linear} on a bfloat16 copy of the weight: the product in bfloat16. */
    BFLOAT16(LinearKernel.PLAIN, "bfloat16");

    private final LinearKernel linear;
    private final String label;

    ProductKernel(LinearKernel linear, String label) {
        this.linear = linear;
        this.label = label;
    }

    /**
     * How the layer's kernel module runs this product ({@code kernels.py}'s code for it).
     *
     * @return {@code PLAIN}, {@code PACKED} or {@code MKL}
     */
    public LinearKernel linear() {
        return linear;
    }

    /**
     * The name in messages, {@code bench}, {@code doctor} and the outputs' metadata.
     *
     * @return e.g. {@code packed}
     */
    public String label() {
        return label;
    }

    /**
     * The weight as this kernel takes it: a new array in the manager of {@code weight}, which is left open.
     *
     * @param weight [out, in] in the load dtype
     * @param rows the tower's sequence length (MKL packs for products of that many rows)
     * @return the weight packed or converted
     * @throws IllegalArgumentException for {@link #PLAIN}, the reference, which keeps the weight as read
     */
    NDArray prepare(NDArray weight, int rows) {
        return switch (this) {
            case PLAIN -> throw new IllegalArgumentException("the plain product keeps its weight as read");
            case PACKED -> TorchScriptKernels.packLinear(weight);
            case MKL -> TorchScriptKernels.packMkl(weight, rows);
            case BFLOAT16 -> TorchScriptKernels.toBFloat16(weight);
        };
    }

    /**
     * {@link #prepare} of the weight a fault hands in place of {@code weight} ({@link KernelFaults}).
     *
     * @param weight [out, in] in the load dtype (left open)
     * @param rows the tower's sequence length
     * @param faults the installed fault, {@link KernelFaults#NONE} outside tests
     * @return the prepared weight, a new array in the manager of {@code weight}
     */
    NDArray prepare(NDArray weight, int rows, KernelFaults faults) {
        NDArray given = faults.spoil(this, weight);
        try {
            return prepare(given, rows);
        } finally {
            if (given != weight) {
                given.close();
            }
        }
    }
}
