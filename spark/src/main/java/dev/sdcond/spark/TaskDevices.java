package dev.sdcond.spark;

import ai.djl.Device;
import java.util.Map;
import org.apache.spark.TaskContext;
import org.apache.spark.resource.ResourceInformation;

/**
 * The device a task computes on: the GPU Spark assigned the task ({@code spark.task.resource.gpu.amount} with a
 * discovery script, as clip-retrieval runs), else the CPU. A model is loaded once per executor JVM, setting and
 * device.
 */
final class TaskDevices {
    private TaskDevices() {}

    /**
     * The current task's device.
     *
     * @return its first assigned GPU, or the CPU (outside a task too)
     */
    static Device current() {
        TaskContext t = TaskContext.get();
        return t == null ? Device.cpu() : of(scala.jdk.javaapi.CollectionConverters.asJava(t.resources()));
    }

    /**
     * The device of a task's resources.
     *
     * @param resources the task's resources by name
     * @return {@code gpu(N)} for the first address of the {@code gpu} resource, else the CPU
     * @throws dev.sdcond.models.InvalidInputException for a GPU address that is not a device number
     */
    static Device of(Map<String, ResourceInformation> resources) {
        ResourceInformation gpu = resources.get("gpu");
        if (gpu == null || gpu.addresses().length == 0) {
            return Device.cpu();
        }
        try {
            return Device.gpu(Integer.parseInt(gpu.addresses()[0].strip()));
        } catch (NumberFormatException e) {
            throw new dev.sdcond.models.InvalidInputException("the GPU Spark assigned this task has address '"
                    + gpu.addresses()[0] + "', not a device number");
        }
    }
}
