package dev.sdcond.models.kernels;

import ai.djl.ndarray.NDArray;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The kernel of one product shape, decided on the first weight of that shape ({@link KernelPlan}): each candidate
 * prepares that weight once, is checked ({@link ProductCheck}) and, where several agree and the choice is
 * {@code auto}'s, timed ({@link KernelTimings}); the chosen kernel's prepared weight goes to that weight's layer, so
 * that no weight is packed twice.
 */
final class ShapeChoice {
    private final ProductKernel kernel;
    private NDArray first; // the weight the choice was made on, until its layer takes the prepared one
    private NDArray firstPrepared;

    private ShapeChoice(ProductKernel kernel, NDArray first, NDArray firstPrepared) {
        this.kernel = kernel;
        this.first = first;
        this.firstPrepared = firstPrepared;
    }

    ProductKernel kernel() {
        return kernel;
    }

    /**
     * Decides.
     *
     * @param candidates the kernels to check, in order of preference ({@link ProductKernel#PLAIN} is the fallback)
     * @param timed whether the fastest that agrees is wanted ({@code auto}), else the first that agrees
     * @param millis adds the time spent checking ([0]) and timing ([1])
     * @param verdicts receives the verdicts
     */
    static ShapeChoice decide(NDArray weight, NDArray bias, String post, int tokens, List<ProductKernel> candidates,
            boolean timed, double[] millis, List<KernelVerdict> verdicts) {
        Map<ProductKernel, NDArray> agreeing = new EnumMap<>(ProductKernel.class);
        List<ProductKernel> order = new ArrayList<>();
        try {
            for (ProductKernel k : candidates) {
                long t0 = System.nanoTime();
                NDArray prepared = k.prepare(weight, tokens, KernelPlan.FAULTS.get());
                ProductVerdict v = ProductCheck.run(weight, bias, k, prepared, tokens, post);
                millis[0] += (System.nanoTime() - t0) / 1e6;
                verdicts.add(v);
                if (v.ok()) {
                    agreeing.put(k, prepared);
                    order.add(k);
                } else {
                    prepared.close();
                    warn(v);
                }
            }
            ProductKernel chosen = order.isEmpty() ? ProductKernel.PLAIN : order.get(0);
            if (timed && order.size() > 1) {
                long t0 = System.nanoTime();
                Map<ProductKernel, Double> ms = KernelTimings.of(weight, bias, agreeing, tokens, post);
                millis[1] += (System.nanoTime() - t0) / 1e6;
                double fastest = order.stream().mapToDouble(ms::get).min().orElseThrow();
                // in order of preference: the first within MARGIN of the fastest
                chosen = order.stream().filter(k -> ms.get(k) <= fastest * KernelPlan.MARGIN).findFirst()
                        .orElseThrow();
            }
            NDArray kept = agreeing.remove(chosen);
            return new ShapeChoice(chosen, kept == null ? null : weight, kept);
        } finally {
            agreeing.values().forEach(NDArray::close);
        }
    }

    /**
     * A weight of this shape as the chosen kernel keeps it: the one prepared while deciding, for the weight it was
     * decided on; else prepared now. {@code weight} is left open.
     */
    NDArray prepare(NDArray weight, int tokens) {
        if (weight == first) {
            NDArray p = firstPrepared;
            first = null;
            firstPrepared = null;
            return p;
        }
        return kernel.prepare(weight, tokens, KernelPlan.FAULTS.get());
    }

    private static void warn(ProductVerdict v) {
        KernelWarnings.once(v.kernel().label() + " " + v.shape(), "the " + v.kernel().label()
                + " kernel disagrees with libtorch's plain product for " + v.shape() + " on this CPU ("
                + dev.sdcond.models.runtime.CpuInfo.current().summary() + ", libtorch "
                + ai.djl.pytorch.jni.LibUtils.getVersion() + String.format(Locale.ROOT,
                        "): error %.2g of the scale, tolerance %.0g; that shape runs plain", v.error(), v.tolerance()));
    }
}
