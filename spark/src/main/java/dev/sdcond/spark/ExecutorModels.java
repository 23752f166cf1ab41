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
    private static final Map<Map.Entry<dev.sdcond.ipadapter.ImageRequest, ai.djl.Device>, Vision> IMAGE =
            new ConcurrentHashMap<>();

    /** A loaded image encoder and its preprocessing, which keeps the encoded negative for every task. */
    record Vision(dev.sdcond.ipadapter.LoadedVisionModel model, dev.sdcond.ipadapter.ImageEncoder encoder) {}

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
     * The image encoder of a request on a device, loaded on first use.
     *
     * @param r the request
     * @param device the task's device ({@link TaskDevices})
     * @return the model and encoder, shared: never close them
     */
    static Vision image(dev.sdcond.ipadapter.ImageRequest r, ai.djl.Device device) {
        return IMAGE.computeIfAbsent(Map.entry(r, device), k -> {
            dev.sdcond.ipadapter.LoadedVisionModel m = dev.sdcond.ipadapter.VisionModels.open(r.model(),
                    r.compute(device));
            return new Vision(m, new dev.sdcond.ipadapter.ImageEncoder(m.tower(),
                    r.processor(m.tower().config().imageSize())));
        });
    }

    /** Closes every model (at JVM shutdown; tests call it between sessions). */
    static synchronized void closeAll() {
        TEXT.values().forEach(LoadedTextModel::close);
        TEXT.clear();
        IMAGE.values().forEach(v -> v.model().close());
        IMAGE.clear();
    }
}
