package dev.sdcond.cli;

import static dev.sdcond.cli.CliTest.run;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sdcond.models.kernels.KernelFaults;
import dev.sdcond.models.kernels.ProductKernel;
import org.junit.jupiter.api.Test;

/**
 * sdcond doctor on the CPU build: the facts, a working CPU, each kernel's verdict on this machine, and a GPU refused
 * with its reason and next step.
 */
class DoctorTest {
    @Test
    void theCpuWorksAndAGpuIsRefusedWithTheReason() throws Exception {
        CliTest.Run r = run("doctor");
        assertEquals(0, r.code(), r.err());
        for (String line : new String[] {"libtorch: 2.7.1", "flavour: CPU", "gpus: 0", "check: cpu(): ok", "cpu: ",
            "djl_cache: ", "env.DJL_OFFLINE: ", "jni: ", "kernels: loaded", "kernels_checked: 11 tower shapes",
            "kernel.packed: ", "kernel.mkl: ", "kernel.bfloat16: ", "kernel.fused_attention: ",
            "kernel.fused_attention_bfloat16: ", "kernel_timings: "}) {
            assertTrue(r.out().contains(line), line + " in\n" + r.out());
        }
        // on any CPU: the check line says a kernel is wrong exactly when one of the kernels' lines does
        assertEquals(r.out().contains(": WRONG at "), r.out().contains("; kernels: "), r.out());
        CliTest.Run gpu = run("doctor", "--device", "gpu");
        assertEquals(2, gpu.code(), gpu.out());
        assertTrue(gpu.err().contains("gpu(0) is not usable: this libtorch is the CPU build")
                && gpu.err().contains("next: run on a CUDA libtorch: tools/gpu/README.md"), gpu.err());
        CliTest.Run json = run("doctor", "--json");
        assertEquals(0, json.code(), json.err());
        com.fasterxml.jackson.databind.JsonNode j = new com.fasterxml.jackson.databind.ObjectMapper().readTree(json.out());
        assertEquals("CPU", j.get("flavour").asText());
        assertTrue(j.get("libtorch_path").asText().contains("2.7.1"), json.out());
    }

    @Test
    void aWrongKernelIsNamedWithItsShapesAndTheCheckSaysSo() {
        KernelFaults spoilPacked = (kernel, w) -> kernel == ProductKernel.PACKED ? w.flip(0) : w;
        CliTest.Run r;
        try (KernelFaults.Installed fault = KernelFaults.install(spoilPacked)) {
            r = run("doctor");
        }
        assertEquals(0, r.code(), r.err()); // towers still run, plain where the kernel is wrong
        assertTrue(r.out().contains("kernel.packed: WRONG at 44 of 44 shapes: tiny text 32 [96 x 32] x "), r.out());
        assertTrue(r.out().contains("towers run those shapes plain"), r.out());
        assertTrue(r.out().contains("check: cpu(): ok; kernels: packed wrong at 44 shapes (not used there)"), r.out());
    }
}
