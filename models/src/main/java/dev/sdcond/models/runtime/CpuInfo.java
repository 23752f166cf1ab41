package dev.sdcond.models.runtime;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * What this machine's CPU can do, from {@code /proc/cpuinfo} (Linux): its model and the instruction sets that decide
 * CPU speed here (AVX2, AVX-512, AVX512-BF16 and AMX for native bfloat16). Elsewhere everything reads as unknown.
 *
 * @param model the model name, or "unknown CPU"
 * @param flags the kernel's feature flags
 */
public record CpuInfo(String model, Set<String> flags) {
    private static final CpuInfo THIS = read(Path.of("/proc/cpuinfo"));

    /**
     * This machine's CPU.
     *
     * @return this machine's CPU
     */
    public static CpuInfo current() {
        return THIS;
    }

    static CpuInfo read(Path cpuinfo) {
        String model = "unknown CPU";
        Set<String> flags = Set.of();
        try {
            for (String line : Files.readAllLines(cpuinfo)) {
                if (line.startsWith("model name") && model.equals("unknown CPU")) {
                    model = line.substring(line.indexOf(':') + 1).strip();
                } else if (line.startsWith("flags") && flags.isEmpty()) {
                    flags = Set.of(line.substring(line.indexOf(':') + 1).strip().split("\\s+"));
                }
            }
        } catch (IOException | RuntimeException e) {
            // not Linux, or unreadable: unknown
        }
        return new CpuInfo(model, flags);
    }

    /**
     * Whether the CPU computes bfloat16 natively (AVX512-BF16 or AMX); elsewhere libtorch emulates it, slowly.
     *
     * @return whether bfloat16 products run natively (AVX512-BF16 or AMX)
     */
    public boolean nativeBFloat16() {
        return flags.contains("avx512_bf16") || flags.contains("amx_bf16");
    }

    /**
     * Whether bfloat16 is faster than float32 here: with AMX's tile units, and on AMD CPUs with AVX512-BF16. On an
     * Intel Xeon with AVX512-BF16 alone, libtorch 2.7.1's bfloat16 products were measured 1.3-1.6x slower than float32
     * (CLIP-L text and ViT-H/14, 2-core Xeon, 2026-11-28); on an AMD EPYC Zen 5 (AVX512-BF16, no AMX) 1.3-1.4x faster
     * (CLIP-L text batch 1 and 8, ViT-H/14, 2026-12-08); without AVX512-BF16, emulated, 3-10x slower.
     *
     * @return whether {@code --dtype bfloat16} pays off on this CPU
     */
    public boolean fastBFloat16() {
        return flags.contains("amx_bf16") || (model.contains("AMD") && flags.contains("avx512_bf16"));
    }

    /**
     * Why bfloat16 is slower than float32 on this CPU, in words, or null where it is faster.
     *
     * @return the explanation, or null with AMX
     */
    public String bfloat16Caveat() {
        if (fastBFloat16()) {
            return null;
        }
        return nativeBFloat16()
                ? summary() + " has AVX512-BF16 but no AMX: libtorch's bfloat16 products are slower than float32 on"
                        + " such Intel CPUs (measured 1.3-1.6x slower); bfloat16 pays off with AMX, on AMD CPUs with"
                        + " AVX512-BF16, or on a GPU"
                : summary() + " has no native bfloat16 (AVX512-BF16 or AMX): libtorch emulates it, about 3-10x slower"
                        + " than float32 here";
    }

    /**
     * The model and the instruction sets that matter here, e.g. "Intel Xeon (AVX2, AVX-512, AVX512-BF16)".
     *
     * @return the model name and the flags that matter
     */
    public String summary() {
        List<String> have = new ArrayList<>();
        for (String[] f : new String[][] {{"avx2", "AVX2"}, {"avx512f", "AVX-512"}, {"avx512_bf16", "AVX512-BF16"},
            {"amx_bf16", "AMX"}}) {
            if (flags.contains(f[0])) {
                have.add(f[1]);
            }
        }
        return model + (flags.isEmpty() ? "" : " (" + (have.isEmpty() ? "none of AVX2/AVX-512/AMX" : String.join(", ",
                have)) + ")");
    }
}
