package dev.sdcond.models.layout;

import dev.sdcond.models.InvalidInputException;
import dev.sdcond.models.config.CLIPTextConfig;
import dev.sdcond.models.config.CLIPVisionConfig;

/**
 * A config file checked against the tower its weights hold, before anything is loaded: a config that claims other
 * sizes than the weights have is a bad input file, named with the field. Fewer layers than the weights have are
 * allowed (transformers loads them and ignores the rest; diffusers ships SD2's encoder cut to 23 of 24).
 */
public final class ConfigConsistency {
    private ConfigConsistency() {}

    /**
     * Checks a text config against the tower found in its weights.
     *
     * @param c the config
     * @param t the tower found in the weights
     * @param configFile the config's file, for messages
     */
    public static void text(CLIPTextConfig c, DetectedTower t, String configFile) {
        same(configFile, "hidden_size", c.hiddenSize(), t.width(), t);
        same(configFile, "intermediate_size", c.intermediateSize(), t.mlpWidth(), t);
        same(configFile, "max_position_embeddings", c.maxPositionEmbeddings(), t.positions(), t);
        atMost(configFile, c.numHiddenLayers(), t);
    }

    /**
     * Checks a vision config against the tower found in its weights.
     *
     * @param c the config
     * @param t the tower found in the weights
     * @param configFile the config's file, for messages
     */
    public static void vision(CLIPVisionConfig c, DetectedTower t, String configFile) {
        same(configFile, "hidden_size", c.hiddenSize(), t.width(), t);
        same(configFile, "intermediate_size", c.intermediateSize(), t.mlpWidth(), t);
        same(configFile, "patch_size", c.patchSize(), t.patchSize(), t);
        same(configFile, "image_size", c.imageSize(), t.imageSize(), t);
        atMost(configFile, c.numHiddenLayers(), t);
    }

    private static void same(String file, String field, int claimed, int found, DetectedTower t) {
        if (claimed != found) {
            throw new InvalidInputException(file + ": " + field + " is " + claimed + " but the weights' "
                    + t.kind().toString().toLowerCase(java.util.Locale.ROOT) + " tower has " + found);
        }
    }

    private static void atMost(String file, int claimed, DetectedTower t) {
        if (claimed > t.layers()) {
            throw new InvalidInputException(file + ": num_hidden_layers is " + claimed + " but the weights have "
                    + t.layers() + " layers");
        }
    }
}
