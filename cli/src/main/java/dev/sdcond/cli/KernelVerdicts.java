package dev.sdcond.cli;

import dev.sdcond.models.kernels.KernelSurvey;
import dev.sdcond.models.kernels.KernelVerdict;
import dev.sdcond.models.kernels.ProductVerdict;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** {@code doctor}'s lines for the kernel survey ({@link KernelSurvey}): one per kernel, with every shape it got wrong. */
final class KernelVerdicts {
    private KernelVerdicts() {}

    /**
     * Adds {@code kernels} (what was surveyed) and {@code kernel.LABEL} (each kernel's verdict) to the facts.
     *
     * @param facts doctor's facts
     * @param survey the survey's verdicts per tower shape
     * @return "" when every kernel agreed, else a note for the check line, naming the kernels that did not
     */
    static String put(Map<String, Object> facts, Map<KernelSurvey.TowerShape, List<KernelVerdict>> survey) {
        facts.put("kernels_checked", survey.size() + " tower shapes: " + String.join(", ", survey.keySet().stream()
                .map(KernelSurvey.TowerShape::name).toList()));
        Map<String, List<String>> wrong = new LinkedHashMap<>();
        Map<String, int[]> counts = new LinkedHashMap<>();
        Map<String, double[]> worst = new LinkedHashMap<>();
        survey.forEach((tower, verdicts) -> {
            for (KernelVerdict v : verdicts) {
                counts.computeIfAbsent(v.label(), k -> new int[1])[0]++;
                double[] w = worst.computeIfAbsent(v.label(), k -> new double[2]);
                if (v.ok()) {
                    w[0] = Math.max(w[0], v.error());
                    w[1] = v.tolerance();
                } else {
                    wrong.computeIfAbsent(v.label(), k -> new ArrayList<>()).add(tower.name() + " "
                            + (v instanceof ProductVerdict p ? p.shape() : "") + String.format(Locale.ROOT,
                                    " (error %.2g)", v.error()));
                }
            }
        });
        List<String> note = new ArrayList<>();
        counts.forEach((label, n) -> {
            List<String> bad = wrong.getOrDefault(label, List.of());
            String key = "kernel." + label.replace(' ', '_');
            if (bad.isEmpty()) {
                facts.put(key, String.format(Locale.ROOT, "ok at %d shapes (worst error %.2g of the scale, tolerance"
                        + " %.0g)", n[0], worst.get(label)[0], worst.get(label)[1]));
            } else {
                facts.put(key, "WRONG at " + bad.size() + " of " + n[0] + " shapes: " + String.join("; ", bad)
                        + "; towers run those shapes " + (label.startsWith("fused") ? "with explicit attention"
                                : label.equals("bfloat16") ? "in float32" : "plain"));
                note.add(label + " wrong at " + bad.size() + " shapes (not used there)");
            }
        });
        return note.isEmpty() ? "" : "; kernels: " + String.join(", ", note);
    }
}
