package dev.sdcond.models.registry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sdcond.models.InvalidInputException;
import dev.sdcond.models.config.Activation;
import dev.sdcond.models.layout.TowerKind;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The registry's facts, checked against the published configs (values written out by hand). */
class RegistryTest {
    @Test
    void familiesHaveThePublishedSizes() {
        assertEquals(768, ClipFamily.CLIP_L_TEXT.width());
        assertEquals(49407, ClipFamily.CLIP_L_TEXT.padId());
        assertEquals(0, ClipFamily.OPENCLIP_BIGG_TEXT.padId());
        assertEquals(20, ClipFamily.OPENCLIP_BIGG_TEXT.textConfig().numAttentionHeads());
        assertEquals(24, ClipFamily.OPENCLIP_H_TEXT.layers());
        assertEquals(23, ClipFamily.OPENCLIP_H_TEXT.shippedLayers());
        assertEquals(1024, ClipFamily.OPENCLIP_H_VISION.projection());
        assertEquals(48, ClipFamily.OPENCLIP_BIGG_VISION.layers());
    }

    @Test
    void headsAndActivationsForTowersWithoutConfig() {
        assertEquals(Optional.of(16), ClipFamily.headsFor(TowerKind.TEXT, 1024));
        assertEquals(Optional.empty(), ClipFamily.headsFor(TowerKind.TEXT, 48));
        assertEquals(Optional.of(12), ClipFamily.headsFor(TowerKind.VISION, 768));
        assertEquals(Optional.of(16), ClipFamily.headsFor(TowerKind.VISION, 1664));
        assertEquals(Optional.empty(), ClipFamily.headsFor(TowerKind.VISION, 512));
        assertEquals(Activation.QUICK_GELU, ClipFamily.hfLayoutActivation(TowerKind.TEXT, 768, 0));
        assertEquals(Activation.GELU, ClipFamily.hfLayoutActivation(TowerKind.TEXT, 1280, 0));
        assertEquals(Activation.QUICK_GELU, ClipFamily.hfLayoutActivation(TowerKind.VISION, 768, 16));
        assertEquals(Activation.QUICK_GELU, ClipFamily.hfLayoutActivation(TowerKind.VISION, 1024, 14));
        assertEquals(Activation.GELU, ClipFamily.hfLayoutActivation(TowerKind.VISION, 1024, 16));
        assertEquals(Activation.GELU, ClipFamily.hfLayoutActivation(TowerKind.VISION, 1280, 14));
    }

    @Test
    void adaptersAndTheirEncoders() {
        assertEquals(List.of(ImageAdapterKind.VIT_H_EMBEDS, ImageAdapterKind.PLUS), ImageAdapterKind.servedBy(1280, 1024));
        assertEquals(List.of(ImageAdapterKind.VIT_BIGG_EMBEDS), ImageAdapterKind.servedBy(1664, 1280));
        assertEquals(List.of(ImageAdapterKind.PLUS), ImageAdapterKind.servedBy(1280, -1));
        assertEquals(List.of(), ImageAdapterKind.servedBy(32, 24));
        assertTrue(ImageAdapterKind.encoderFor(false, 1280).contains("ViT-bigG/14"));
        assertTrue(ImageAdapterKind.encoderFor(true, 1280).contains("ViT-H/14"));
        assertEquals("CLIP ViT-L/14", ImageAdapterKind.encoderFor(false, 768));
        assertEquals("penultimate hidden states [257, 1280]", ImageAdapterKind.PLUS.takes());
    }

    @Test
    void builtinsByKind() {
        assertEquals(Builtin.SDXL_RANDOM, Builtin.parse("builtin:sdxl-random", TowerKind.TEXT));
        assertEquals("sdxl", Builtin.SDXL_RANDOM.preset());
        InvalidInputException e = assertThrows(InvalidInputException.class,
                () -> Builtin.parse("builtin:vit-h-random", TowerKind.TEXT));
        assertTrue(e.getMessage().contains("builtin:sd15-random") && !e.getMessage().contains("(builtin:vit-h"),
                e.getMessage());
    }

    /** google/t5-v1_1-xxl's published config.json; the builtins' T5 parts. */
    @Test
    void t5XxlHasThePublishedConfig() {
        dev.sdcond.models.t5.T5Config c = T5Family.XXL.config();
        assertEquals(List.of(4096, 64, 10240, 64, 24, 32128, 32, 128), List.of(c.dModel(), c.dKv(), c.dFf(),
                c.numHeads(), c.numLayers(), c.vocabSize(), c.numBuckets(), c.maxDistance()));
        assertEquals(1e-6, c.layerNormEpsilon());
        assertEquals(Optional.of(T5Family.XXL), Builtin.FLUX_RANDOM.t5());
        assertEquals(Optional.of(T5Family.XXL), Builtin.SD3_RANDOM.t5());
        assertEquals(List.of(ClipFamily.CLIP_L_TEXT, ClipFamily.OPENCLIP_BIGG_TEXT), Builtin.SD3_RANDOM.towers());
        assertEquals(4096, T5Family.SMALL.config().dModel()); // the real output width, for the shapes
        assertEquals(Optional.empty(), Builtin.SDXL_RANDOM.t5());
    }
}
