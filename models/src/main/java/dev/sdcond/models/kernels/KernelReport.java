package dev.sdcond.models.kernels;

import java.util.List;

/**
 * What a tower's layers run, as decided while it loaded ({@link KernelPlan}).
 *
 * @param summary each projection's kernel by shape, and the attention's: e.g. {@code qkv [2304 x 768] packed; ...;
 *     attention fused}
 * @param checkMillis the time the load spent checking kernels against the plain product and the explicit attention
 * @param timingMillis the time it spent timing kernels for {@code auto} (0 when the per-machine cache had them)
 * @param verdicts every check run, in order
 */
public record KernelReport(String summary, double checkMillis, double timingMillis, List<KernelVerdict> verdicts) {
    /** The report of a tower loaded without a plan (the header pass). */
    public static final KernelReport NONE = new KernelReport("", 0, 0, List.of());

    /**
     * A report.
     *
     * @param summary the summary
     * @param checkMillis the checks' time
     * @param timingMillis the timing runs' time
     * @param verdicts the verdicts
     */
    public KernelReport {
        verdicts = List.copyOf(verdicts);
    }
}
