package dev.sdcond.cli;

import static dev.sdcond.cli.CliTest.run;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** sdcond doctor on the CPU build: the facts, a working CPU, and a GPU refused with its reason and next step. */
class DoctorTest {
    @Test
    void theCpuWorksAndAGpuIsRefusedWithTheReason() throws Exception {
        CliTest.Run r = run("doctor");
        assertEquals(0, r.code(), r.err());
        for (String line : new String[] {"libtorch: 2.7.1", "flavour: CPU", "gpus: 0", "check: cpu(): ok", "cpu: ",
            "djl_cache: ", "env.DJL_OFFLINE: ", "jni: ", "kernels: loaded"}) {
            assertTrue(r.out().contains(line), line + " in\n" + r.out());
        }
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
}
