package dev.sdcond.models.kernels;

import ai.djl.ndarray.NDArray;

/**
 * A deliberately wrong kernel, for the tests that prove a disagreeing kernel is caught and not used: it spoils the
 * weight a kernel is about to prepare (pack, or convert), both when the kernel is checked and when a layer would keep
 * it, as a faulty packing would. Installed for the calling thread only, for the span of a try-with-resources block;
 * {@link #NONE} elsewhere. The plain product, the reference, is never spoiled.
 */
@FunctionalInterface
public interface KernelFaults {
    /** No fault. */
    KernelFaults NONE = (kernel, w) -> w;

    /**
     * The weight a kernel is given to prepare.
     *
     * @param kernel the kernel about to prepare it (never {@link ProductKernel#PLAIN})
     * @param weight the weight as read (not to be closed here)
     * @return {@code weight}, or a new array in its manager in its place
     */
    NDArray spoil(ProductKernel kernel, NDArray weight);

    /**
     * Installs a fault on the calling thread until the returned handle is closed.
     *
     * @param faults the fault
     * @return the handle
     */
    static Installed install(KernelFaults faults) {
        KernelPlan.FAULTS.set(faults);
        return KernelPlan.FAULTS::remove;
    }

    /** An installed fault; closing it removes it. */
    interface Installed extends AutoCloseable {
        @Override
        void close();
    }
}
