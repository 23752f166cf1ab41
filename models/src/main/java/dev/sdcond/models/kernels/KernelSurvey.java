package dev.sdcond.models.kernels;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.sdcond.models.Precision;
import dev.sdcond.models.Towers;
import dev.sdcond.models.config.Activation;
import dev.sdcond.models.layout.TowerKind;
import dev.sdcond.models.registry.ClipFamily;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The load-time checks of {@link KernelPlan}, run by {@code sdcond doctor} over the layer shapes of the golden
 * fixtures' tiny towers and of every real family ({@link ClipFamily}), on random weights: each kernel's verdict on this
 * machine, before any model is loaded.
 */
public final class KernelSurvey {
    /**
     * The shapes of one kind of tower's layers.
     *
     * @param name what it is, in messages
     * @param kind text (causal, 77 tokens) or vision (257 tokens at patch 14; MKL is a candidate)
     * @param width the hidden size
     * @param intermediate the MLP's hidden size
     * @param heads the attention heads
     * @param tokens the sequence length
     * @param act the MLP's activation
     */
    public record TowerShape(String name, TowerKind kind, int width, int intermediate, int heads, int tokens,
            Activation act) {}

    private KernelSurvey() {}

    /**
     * The tiny widths of the golden fixtures (32, 40, 48), then every family's.
     *
     * @return the shapes
     */
    public static List<TowerShape> shapes() {
        List<TowerShape> s = new ArrayList<>(List.of(
            new TowerShape("tiny text 32", TowerKind.TEXT, 32, 64, 4, 77, Activation.QUICK_GELU),
            new TowerShape("tiny text 40", TowerKind.TEXT, 40, 80, 5, 77, Activation.GELU),
            new TowerShape("tiny text 48", TowerKind.TEXT, 48, 96, 4, 77, Activation.GELU),
            new TowerShape("tiny vision 32", TowerKind.VISION, 32, 64, 4, 257, Activation.GELU)));
        for (ClipFamily f : ClipFamily.values()) {
            if (f.kind() == TowerKind.TEXT) {
                var c = f.textConfig();
                s.add(new TowerShape(f.displayName(), TowerKind.TEXT, c.hiddenSize(), c.intermediateSize(),
                        c.numAttentionHeads(), c.maxPositionEmbeddings(), c.hiddenAct()));
            } else {
                var c = f.visionConfig();
                s.add(new TowerShape(f.displayName(), TowerKind.VISION, c.hiddenSize(), c.intermediateSize(),
                        c.numAttentionHeads(), c.numPositions(), c.hiddenAct()));
            }
        }
        return s;
    }

    /**
     * Checks every kernel there is on {@code device} (oneDNN and MKL packing on the CPU in float32, bfloat16 products,
     * fused attention in float32 and bfloat16) for each tower shape's four products and its attention.
     *
     * @param device the device
     * @param shapes the tower shapes ({@link #shapes})
     * @return the verdicts, per tower shape
     */
    public static Map<TowerShape, List<KernelVerdict>> run(Device device, List<TowerShape> shapes) {
        Map<TowerShape, List<KernelVerdict>> all = new LinkedHashMap<>();
        for (TowerShape t : shapes) {
            List<KernelVerdict> verdicts = new ArrayList<>();
            try (NDManager m = NDManager.newBaseManager(device, Towers.ENGINE)) {
                String act = t.act().layerKernelName();
                long[][] products = {{3L * t.width(), t.width()}, {t.width(), t.width()},
                    {t.intermediate(), t.width()}, {t.width(), t.intermediate()}};
                for (int p = 0; p < products.length; p++) {
                    NDArray w = m.randomNormal(new Shape(products[p])).muli(1 / Math.sqrt(products[p][1]));
                    NDArray b = m.randomNormal(new Shape(products[p][0])).muli(0.02f);
                    for (ProductKernel k : kernels(device, t.kind())) {
                        try (NDArray prepared = k.prepare(w, t.tokens(), KernelPlan.FAULTS.get())) {
                            verdicts.add(ProductCheck.run(w, b, k, prepared, t.tokens(), p == 2 ? act : "none"));
                        }
                    }
                    w.close();
                    b.close();
                }
                for (Precision precision : new Precision[] {Precision.FLOAT32, Precision.BFLOAT16}) {
                    verdicts.add(AttentionCheck.run(m, precision, t.tokens(), t.heads(), t.width(),
                            t.kind() == TowerKind.TEXT));
                }
            }
            all.put(t, verdicts);
        }
        return all;
    }

    /**
     * Where {@code --linear auto}'s per-machine timings are kept, and how many shapes this machine has timed.
     *
     * @return one line for {@code doctor}
     */
    public static String timings() {
        return KernelTimings.summary();
    }

    private static List<ProductKernel> kernels(Device device, TowerKind kind) {
        if (device.isGpu() || !TorchScriptKernels.packedLinearAvailable()) {
            return List.of(ProductKernel.BFLOAT16);
        }
        return kind == TowerKind.VISION ? List.of(ProductKernel.PACKED, ProductKernel.MKL, ProductKernel.BFLOAT16)
                : List.of(ProductKernel.PACKED, ProductKernel.BFLOAT16);
    }
}
