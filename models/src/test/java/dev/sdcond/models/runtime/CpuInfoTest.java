package dev.sdcond.models.runtime;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Set;
import org.junit.jupiter.api.Test;

/** When --dtype bfloat16 is worth it, by the CPU's flags (the README's Performance section). */
class CpuInfoTest {
    @Test
    void bfloat16PaysOffWithAmxAndOnAmdWithAvx512Bf16() {
        CpuInfo amx = new CpuInfo("Xeon", Set.of("avx512f", "avx512_bf16", "amx_bf16"));
        assertTrue(amx.fastBFloat16());
        assertNull(amx.bfloat16Caveat());
        CpuInfo avx512bf16 = new CpuInfo("Xeon", Set.of("avx512f", "avx512_bf16"));
        assertFalse(avx512bf16.fastBFloat16());
        assertTrue(avx512bf16.bfloat16Caveat().contains("no AMX"), avx512bf16.bfloat16Caveat());
        CpuInfo zen5 = new CpuInfo("AMD EPYC", Set.of("avx512f", "avx512_bf16")); // measured 1.3-1.4x faster
        assertTrue(zen5.fastBFloat16());
        assertNull(zen5.bfloat16Caveat());
        CpuInfo avx2 = new CpuInfo("EPYC", Set.of("avx2"));
        assertFalse(avx2.nativeBFloat16());
        assertTrue(avx2.bfloat16Caveat().contains("emulates"), avx2.bfloat16Caveat());
    }
}
