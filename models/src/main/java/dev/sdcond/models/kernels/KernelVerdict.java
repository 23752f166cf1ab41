package dev.sdcond.models.kernels;

/** What a load-time check found for one kernel on one shape: {@link ProductVerdict} or {@link AttentionCheck.Verdict}. */
public sealed interface KernelVerdict permits ProductVerdict, AttentionCheck.Verdict {
    /**
     * Whether the kernel agrees with its reference here.
     *
     * @return whether the error is within the tolerance
     */
    boolean ok();

    /**
     * The kernel checked, in messages and {@code doctor}'s list.
     *
     * @return e.g. {@code packed}, {@code mkl}, {@code bfloat16}, {@code fused attention},
     *     {@code fused attention bfloat16}
     */
    String label();

    /**
     * The most a correct kernel may show, relative to the reference's scale.
     *
     * @return the tolerance
     */
    double tolerance();

    /**
     * The error found, relative to the reference's scale.
     *
     * @return the error (NaN where the kernel gave NaN)
     */
    double error();
}
