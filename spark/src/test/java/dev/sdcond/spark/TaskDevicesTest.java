package dev.sdcond.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import ai.djl.Device;
import java.util.Map;
import org.apache.spark.resource.ResourceInformation;
import org.junit.jupiter.api.Test;

/** The device of a task: the first GPU address Spark assigned it, else the CPU (no GPU needed to check the choice). */
class TaskDevicesTest {
    @Test
    void theAssignedGpuElseTheCpu() {
        assertEquals(Device.cpu(), TaskDevices.of(Map.of()));
        assertEquals(Device.cpu(), TaskDevices.current()); // outside a task
        assertEquals(Device.gpu(3), TaskDevices.of(Map.of("gpu", new ResourceInformation("gpu", new String[] {"3"}))));
        assertEquals(Device.gpu(1), TaskDevices.of(Map.of("gpu", new ResourceInformation("gpu",
                new String[] {"1", "2"}))));
        assertThrows(dev.sdcond.models.InvalidInputException.class, () -> TaskDevices.of(Map.of("gpu",
                new ResourceInformation("gpu", new String[] {"GPU-8f2a"}))));
    }
}
