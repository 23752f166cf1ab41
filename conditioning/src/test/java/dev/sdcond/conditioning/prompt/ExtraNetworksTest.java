package dev.sdcond.conditioning.prompt;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sdcond.models.Goldens;
import dev.sdcond.models.InvalidInputException;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** A1111's {@code <lora:NAME:W>} tags, as extra_networks.parse_prompt and the Lora extension read them. */
class ExtraNetworksTest {
    @Test
    void tagsAreRemovedAndLoraMultipliersRead() {
        ExtraNetworks.Parsed p = ExtraNetworks.parse("a cat <lora:style:0.6> on a <hypernet:x:1> mat<lora:detail>");
        assertEquals("a cat  on a  mat", p.text());
        assertEquals(List.of(Map.entry("style", 0.6), Map.entry("detail", 1.0)), p.loras());
        assertEquals(List.of(Map.entry("s", 0.5)), ExtraNetworks.parse("<lora:s:0.5:0.8>").loras(), "te, then unet");
        assertEquals(List.of(Map.entry("s", 0.7)), ExtraNetworks.parse("<lora:s:unet=0.3:te=0.7>").loras());
        assertEquals(List.of(Map.entry("s", 0.25)), ExtraNetworks.parse("<lyco:s:0.25>").loras(), "A1111's alias");
        assertEquals(List.of(Map.entry("café", 1.0)), ExtraNetworks.parse("<lora:café>").loras(), "\\w is Unicode");
        // not a tag: no name characters, or no colon; these stay text
        assertEquals("<lora> <:x> <a b:1>", ExtraNetworks.parse("<lora> <:x> <a b:1>").text());
        assertThrows(InvalidInputException.class, () -> ExtraNetworks.parse("<lora:s:strong>"));
    }

    @Test
    void namesAreFoundInTheLoraFoldersRecursively() {
        var dir = Goldens.path("ti-lora");
        assertEquals(Goldens.path("ti-lora/loras/sd1_peft.safetensors"),
                ExtraNetworks.find(List.of(dir), "sd1_peft", 0.5).file());
        InvalidInputException e = assertThrows(InvalidInputException.class,
                () -> ExtraNetworks.find(List.of(dir), "nope", 1));
        assertTrue(e.getMessage().contains("nope.safetensors"), e.getMessage());
    }
}
