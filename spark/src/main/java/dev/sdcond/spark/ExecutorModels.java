package dev.sdcond.spark;

import dev.sdcond.conditioning.LoadedTextModel;
import dev.sdcond.conditioning.TextRequest;
import dev.sdcond.models.lora.LoraSpec;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The models of one executor JVM: each distinct setting is loaded once, on first use by a task, shared by the tasks
 * that run in the JVM (the library's conditioner is thread-safe) and closed when the JVM shuts down.
 */
final class ExecutorModels {
    private static final Map<List<Object>, LoadedTextModel> TEXT = new ConcurrentHashMap<>();
    private static final Map<Map.Entry<ImageSettings, ai.djl.Device>, dev.sdcond.ipadapter.LoadedVisionModel> IMAGE =
            new ConcurrentHashMap<>();

    static {
        Runtime.getRuntime().addShutdownHook(new Thread(ExecutorModels::closeAll, "sdcond-models-close"));
    }

    private ExecutorModels() {}

    /**
     * The text model of a setting on a device, loaded on first use.
     *
     * @param s the setting
     * @param device the task's device ({@link TaskDevices})
     * @return the model, shared: never close it
     */
    static LoadedTextModel text(TextRequest r, List<LoraSpec> loras, ai.djl.Device device) {
        return TEXT.computeIfAbsent(List.of(r, loras, device), k -> r.open(device, loras));
    }

    /**
     * The image encoder of a setting on a device, loaded on first use.
     *
     * @param s the setting
     * @param device the task's device ({@link TaskDevices})
     * @return the model, shared: never close it
     */
    static dev.sdcond.ipadapter.LoadedVisionModel image(ImageSettings s, ai.djl.Device device) {
        return IMAGE.computeIfAbsent(Map.entry(s, device), k -> s.load(device));
    }

    /** Closes every model (at JVM shutdown; tests call it between sessions). */
    static synchronized void closeAll() {
        TEXT.values().forEach(LoadedTextModel::close);
        TEXT.clear();
        IMAGE.values().forEach(dev.sdcond.ipadapter.LoadedVisionModel::close);
        IMAGE.clear();
    }
}
