package dev.sdcond.models.lora;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import dev.sdcond.models.InvalidInputException;
import dev.sdcond.models.ModelMismatchException;
import dev.sdcond.models.weights.ParameterSource;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A tower's parameters with LoRAs merged in as they are read: {@code W' = W + strength * (alpha / rank) * up @ down}
 * (alpha / rank = 1 without an alpha), in float32, before the tower folds any constant into them, and several LoRAs
 * add up. A module is matched by its weight's Hugging Face name (PEFT: the dotted path; kohya: the path with
 * {@code _} for {@code .}), so the same keys reach every layout: an OpenCLIP tower's fused {@code in_proj_weight}
 * takes the q, k and v modules as its three row blocks. The base source is never changed: a LoRA set makes a new
 * tower.
 */
public final class LoraSource implements ParameterSource {
    /** One module's update of one weight. */
    private record Delta(LoraFile file, LoraFile.Module module, double strength) {}

    private final ParameterSource base;
    private final Map<String, List<Delta>> byWeight;

    private LoraSource(ParameterSource base, Map<String, List<Delta>> byWeight) {
        this.base = base;
        this.byWeight = byWeight;
    }

    /** A LoRA file opened for merging, with its strength. */
    public record Applied(LoraFile file, double strength) {}

    /**
     * The parameters of encoder {@code encoder} (0: CLIP-L or the only encoder; 1: SDXL's bigG) with the LoRAs'
     * modules for that encoder merged in; {@code base} itself when none applies.
     *
     * @param base the encoder's parameters
     * @param encoder its index (0 CLIP-L, 1 bigG)
     * @param loras the LoRAs and strengths
     * @return the parameters with the LoRAs' deltas merged
     */
    public static ParameterSource patch(ParameterSource base, int encoder, List<Applied> loras) {
        Map<String, List<Delta>> byWeight = new HashMap<>();
        for (Applied a : loras) {
            for (LoraFile.Module m : a.file().modules()) {
                if (m.encoder() == encoder) {
                    String key = (m.kohya() ? "kohya:" : "") + m.path() + (m.kohya() ? "" : ".weight");
                    byWeight.computeIfAbsent(key, k -> new ArrayList<>()).add(new Delta(a.file(), m, a.strength()));
                }
            }
        }
        return byWeight.isEmpty() ? base : new LoraSource(base, byWeight);
    }

    /** The updates of one Hugging Face weight name, from either key style. */
    private List<Delta> deltas(String hfName) {
        List<Delta> out = new ArrayList<>(byWeight.getOrDefault(hfName, List.of()));
        if (hfName.endsWith(".weight")) {
            String kohya = hfName.substring(0, hfName.length() - ".weight".length()).replace('.', '_');
            out.addAll(byWeight.getOrDefault("kohya:" + kohya, List.of()));
        }
        return out;
    }

    @Override
    public String describe() {
        return base.describe();
    }

    @Override
    public String storedName(String hfName) {
        return base.storedName(hfName);
    }

    @Override
    public Optional<long[]> shape(String hfName) {
        return base.shape(hfName);
    }

    @Override
    public boolean generated() {
        return base.generated();
    }

    @Override
    public NDArray load(String hfName, NDManager manager, DataType dtype) {
        return merged(hfName, manager, dtype, null);
    }

    @Override
    public NDArray load(String hfName, long[] shape, NDManager manager, DataType dtype) {
        return merged(hfName, manager, dtype, shape);
    }

    private NDArray read(String hfName, NDManager manager, DataType dtype, long[] shape) {
        return shape == null ? base.load(hfName, manager, dtype) : base.load(hfName, shape, manager, dtype);
    }

    private NDArray merged(String hfName, NDManager manager, DataType dtype, long[] shape) {
        boolean fused = hfName.endsWith("self_attn.in_proj_weight");
        String prefix = fused ? hfName.substring(0, hfName.length() - "in_proj_weight".length()) : null;
        List<List<Delta>> parts = fused
                ? List.of(deltas(prefix + "q_proj.weight"), deltas(prefix + "k_proj.weight"), deltas(prefix + "v_proj.weight"))
                : List.of(deltas(hfName));
        if (parts.stream().allMatch(List::isEmpty)) {
            return read(hfName, manager, dtype, shape);
        }
        NDArray w = read(hfName, manager, DataType.FLOAT32, shape);
        long rows = w.getShape().get(0) / parts.size();
        List<NDArray> updates = new ArrayList<>();
        try {
            for (List<Delta> part : parts) {
                NDArray u = manager.zeros(new ai.djl.ndarray.types.Shape(rows, w.getShape().get(1)), DataType.FLOAT32);
                updates.add(u);
                for (Delta d : part) {
                    long[] target = u.getShape().getShape();
                    long[] delta = updateShape(d);
                    if (!Arrays.equals(delta, target)) { // checked from the header, before any product is made
                        throw new ModelMismatchException(d.file().file() + ": LoRA module " + d.module().key()
                                + " updates a " + Arrays.toString(delta) + " weight, but " + base.storedName(hfName)
                                + " is " + w.getShape() + (parts.size() > 1 ? " (q, k and v rows of it)" : ""));
                    }
                    try (NDArray p = product(d, manager)) {
                        u.addi(p);
                    }
                    d.file().markApplied(d.module());
                }
            }
            try (NDArray update = updates.size() == 1 ? updates.get(0).duplicate()
                    : NDArrays.concat(new NDList(updates), 0)) {
                w.addi(update);
            }
            if (!dev.sdcond.models.safetensors.Provenance.allFinite(w)) {
                String from = parts.stream().flatMap(List::stream).map(d -> d.file().file() + " (" + d.module().key()
                        + ", strength " + d.strength() + ")").distinct().reduce((a, b) -> a + ", " + b).orElse("");
                w.close();
                throw new InvalidInputException(base.storedName(hfName) + " with the LoRA update of " + from
                        + " is beyond float32's range: lower the strength");
            }
        } finally {
            updates.forEach(NDArray::close);
        }
        if (dtype == DataType.FLOAT32) {
            return w;
        }
        try (w) {
            return w.toType(dtype, false);
        }
    }

    /** [out, in] of {@code up @ down}, from the LoRA file's header. */
    private static long[] updateShape(Delta d) {
        var src = d.file().source();
        long[] up = src.info(d.module().up()).orElseThrow().shape();
        long[] down = src.info(d.module().down()).orElseThrow().shape();
        return new long[] {up[0], down[1]};
    }

    /**
     * {@code strength * alpha / rank * up @ down}, float32. A NaN or infinite alpha or weight, or an update beyond
     * float32's range, is refused naming the file, the module and the strength (not blamed on precision later).
     */
    private static NDArray product(Delta d, NDManager manager) {
        LoraFile.Module m = d.module();
        var src = d.file().source();
        String where = d.file().file() + ": LoRA module " + m.key();
        double alpha = m.rank();
        if (m.alpha() != null) {
            try (NDArray a = src.load(m.alpha(), manager, DataType.FLOAT32)) {
                alpha = a.toFloatArray()[0];
            }
            if (!Double.isFinite(alpha)) {
                throw new InvalidInputException(where + ": alpha is " + alpha + ", not a finite number");
            }
        }
        try (NDArray up = src.load(m.up(), manager, DataType.FLOAT32);
                NDArray down = src.load(m.down(), manager, DataType.FLOAT32)) {
            boolean upFinite = dev.sdcond.models.safetensors.Provenance.allFinite(up);
            if (!upFinite || !dev.sdcond.models.safetensors.Provenance.allFinite(down)) {
                throw new InvalidInputException(where + ": its " + (upFinite ? m.down() : m.up())
                        + " holds NaN or Inf");
            }
            NDArray p = up.matMul(down).muli(d.strength() * (alpha / m.rank()));
            if (!dev.sdcond.models.safetensors.Provenance.allFinite(p)) {
                p.close();
                throw new InvalidInputException(where + " at strength " + d.strength() + " (alpha " + alpha + ", rank "
                        + m.rank() + ") gives an update beyond float32's range: lower the strength");
            }
            return p;
        }
    }

}
