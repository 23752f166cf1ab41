package dev.sdcond.models.kernels;

import ai.djl.ndarray.NDArray;
import dev.sdcond.models.AttentionKernel;
import dev.sdcond.models.Compute;
import dev.sdcond.models.LinearKernel;
import dev.sdcond.models.Precision;
import dev.sdcond.models.layout.TowerKind;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The kernels one tower runs, decided while it loads: trust only what was checked on this machine.
 *
 * <p>For each distinct product shape (weight [out, in], fused activation), the first weight of that shape is run
 * through every candidate kernel and through the plain product ({@link ProductCheck}); a kernel that disagrees is not
 * used, and says so once per process ({@link KernelWarnings}). Of the kernels that agree, a kernel the user named is
 * used; with {@link LinearKernel#AUTO}, the fastest of the packed kernels that agree ({@link KernelTimings}), and the
 * plain product where none does. Plain is not in that race: packed kernels give a row the same bits whatever the batch
 * around it (oneDNN's inner product, and MKL's one product per sequence), which libtorch's plain product (MKL's sgemm,
 * a vector product for one row) does not, and a prompt's tensors must not depend on its batch or front end (the
 * Spark job batches, the library may not). Fused attention is checked
 * likewise against the explicit form ({@link AttentionCheck}) and, where it disagrees, the tower runs the explicit
 * one. {@link #report} says what every projection ended up with.
 */
public final class KernelPlan {
    /**
     * How much slower than the fastest agreeing kernel {@code auto}'s preferred kernel may be and still be kept (MKL,
     * then oneDNN): a choice that timing noise cannot flip between runs.
     */
    static final double MARGIN = 1.10;
    static final ThreadLocal<KernelFaults> FAULTS = ThreadLocal.withInitial(() -> KernelFaults.NONE);

    private final Compute compute;
    private final TowerKind kind;
    private final boolean lastLayer;
    private final Map<String, ShapeChoice> decisions;
    private final Map<String, String> used; // role and shape -> its kernel, then " (last layer: ...)" if it differs
    private final Map<String, AttentionKernel> attention;
    private final List<KernelVerdict> verdicts;
    private final double[] millis; // checking, timing: shared with the last layer's view

    private KernelPlan(Compute compute, TowerKind kind, boolean lastLayer, Map<String, ShapeChoice> decisions,
            Map<String, String> used, Map<String, AttentionKernel> attention, List<KernelVerdict> verdicts,
            double[] millis) {
        this.millis = millis;
        this.compute = compute;
        this.kind = kind;
        this.lastLayer = lastLayer;
        this.decisions = decisions;
        this.used = used;
        this.attention = attention;
        this.verdicts = verdicts;
    }

    /**
     * A plan for a tower about to load.
     *
     * @param compute the device, dtype and kernels asked for
     * @param kind the tower's kind: vision towers run at a fixed sequence length, so MKL's packing (for one row
     *     count) is a candidate there
     * @return the plan
     */
    public static KernelPlan of(Compute compute, TowerKind kind) {
        return new KernelPlan(compute, kind, false, new HashMap<>(), new LinkedHashMap<>(), new LinkedHashMap<>(),
                new ArrayList<>(), new double[2]);
    }

    /**
     * The same plan for a tower's last layer, which may run for some rows alone and so takes no MKL-packed weights;
     * what it decides and uses is recorded in this plan.
     *
     * @return the plan's view for the last layer
     */
    public KernelPlan lastLayer() {
        return new KernelPlan(compute, kind, true, decisions, used, attention, verdicts, millis);
    }

    /** A projection's weight and bias as its layer keeps them, and the kernel that runs the product. */
    public record Prepared(NDArray weight, NDArray bias, LinearKernel kernel) {}

    /**
     * Decides the kernel of a projection (checking and timing at the first weight of its shape) and prepares its
     * weight and bias; the arrays handed in are closed where new ones replace them.
     *
     * @param role the projection's name in the report ({@code qkv}, {@code out_proj}, {@code fc1}, {@code fc2})
     * @param weight [out, in] in the load dtype, as read
     * @param bias [out]
     * @param post the activation fused into the product: {@code none}, {@code gelu} or {@code swish}
     * @param tokens the tower's sequence length
     * @return the weight, bias and kernel
     */
    public Prepared prepare(String role, NDArray weight, NDArray bias, String post, int tokens) {
        long out = weight.getShape().get(0);
        long in = weight.getShape().get(1);
        String shape = out + "x" + in + " " + post + " " + tokens + " " + candidates();
        ShapeChoice choice = decisions.computeIfAbsent(shape, s -> ShapeChoice.decide(weight, bias, post, tokens,
                candidates(), compute.linear() == LinearKernel.AUTO && compute.precision() != Precision.BFLOAT16,
                millis, verdicts));
        ProductKernel k = choice.kernel();
        String name = role + " [" + out + " x " + in + "]";
        String first = used.putIfAbsent(name, k.label());
        if (first != null && lastLayer && !first.equals(k.label())) {
            used.put(name, first + " (last layer: " + k.label() + ")");
        }
        return switch (k) {
            case PLAIN -> new Prepared(weight, bias, LinearKernel.PLAIN);
            case BFLOAT16 -> {
                try (weight; bias) {
                    yield new Prepared(choice.prepare(weight, tokens), TorchScriptKernels.toBFloat16(bias),
                            LinearKernel.PLAIN);
                }
            }
            case PACKED, MKL -> {
                try (weight) {
                    yield new Prepared(choice.prepare(weight, tokens), bias, k.linear());
                }
            }
        };
    }

    /** The kernels to check for a shape, the one asked for first; plain (the reference) is never among them. */
    private List<ProductKernel> candidates() {
        if (compute.precision() == Precision.BFLOAT16) {
            return List.of(ProductKernel.BFLOAT16);
        }
        LinearKernel asked = compute.linear();
        if (asked == LinearKernel.PLAIN || compute.device().isGpu() || compute.precision() != Precision.FLOAT32
                || !TorchScriptKernels.packedLinearAvailable()) {
            return List.of();
        }
        boolean mkl = kind == TowerKind.VISION && !lastLayer; // a fixed sequence length, whole sequences
        return switch (asked) {
            case PACKED -> List.of(ProductKernel.PACKED);
            case MKL -> mkl ? List.of(ProductKernel.MKL) : List.of();
            default -> mkl ? List.of(ProductKernel.MKL, ProductKernel.PACKED) : List.of(ProductKernel.PACKED);
        };
    }

    /**
     * The attention kernel of the tower's layers: the one asked for, unless it is the fused kernel and disagrees with
     * the explicit form here (checked once per shape).
     *
     * @param tokens the sequence length
     * @param heads the heads
     * @param width the width
     * @param manager where the check's scratch arrays are made
     * @return the kernel
     */
    public AttentionKernel attention(int tokens, int heads, int width, ai.djl.ndarray.NDManager manager) {
        if (compute.attention() != AttentionKernel.FUSED) {
            return compute.attention();
        }
        boolean causal = kind == TowerKind.TEXT;
        return attention.computeIfAbsent(tokens + " " + heads + " " + width + " " + causal, s -> {
            long t0 = System.nanoTime();
            AttentionCheck.Verdict v = AttentionCheck.run(manager, compute.precision(), tokens, heads, width, causal);
            millis[0] += (System.nanoTime() - t0) / 1e6;
            verdicts.add(v);
            if (v.ok()) {
                return AttentionKernel.FUSED;
            }
            KernelWarnings.once(v.toString(), v + " on this CPU (" + dev.sdcond.models.runtime.CpuInfo.current().summary()
                    + "); the tower runs explicit attention");
            return AttentionKernel.EXPLICIT;
        });
    }

    /**
     * What the tower runs, for the outputs' metadata, {@code bench} and {@code doctor}, and what deciding it cost.
     *
     * @return the report
     */
    public KernelReport report() {
        return new KernelReport(summary(), millis[0], millis[1], verdicts);
    }

    /** E.g. {@code qkv [96 x 32] packed; out_proj [32 x 32] packed; ...; attention fused}. */
    private String summary() {
        List<String> parts = new ArrayList<>();
        List<String> order = List.of("qkv", "out_proj", "fc1", "fc2");
        used.entrySet().stream().sorted(Comparator.comparingInt(e -> order.indexOf(e.getKey().split(" ")[0])))
                .forEach(e -> parts.add(e.getKey() + " " + e.getValue()));
        attention.values().stream().distinct().forEach(a -> parts.add("attention " + a.name().toLowerCase(
                java.util.Locale.ROOT)));
        if (attention.isEmpty()) {
            parts.add("attention " + compute.attention().name().toLowerCase(java.util.Locale.ROOT));
        }
        return String.join("; ", parts);
    }
}
