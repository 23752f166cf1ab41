package dev.sdcond.conditioning;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sdcond.models.Goldens;
import dev.sdcond.models.InvalidInputException;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What a user names is read once into its roles: builtin, or the CLIP parts, the T5 and a T5 tokenizer folder. */
class ModelSpecTest {
    @Test
    void eachKindOfSpecLandsInItsRole(@TempDir Path dir) throws IOException {
        assertEquals(new ModelSpec.BuiltinModel("builtin:sdxl-random"), ModelSpec.parse(List.of("builtin:sdxl-random")));
        Path a = Goldens.path("clip-tiny-a");
        Path b = Goldens.path("clip-text-tiny-b");
        Path t5 = Goldens.path("t5/t5-tiny");
        Path tok = Goldens.path("t5/tokenizer");
        assertEquals(new ModelSpec.Parts(List.of(a, b), Optional.of(t5), Optional.of(tok)),
                ModelSpec.parse(List.of(a.toString(), b.toString(), t5.toString(), tok.toString())));
        // a diffusers pipeline folder: its text encoders, the T5 one by its config
        Path flux = Goldens.assemblePipeline("t5/flux-tiny", dir.resolve("flux"));
        ModelSpec.Parts p = (ModelSpec.Parts) ModelSpec.parse(List.of(flux.toString()));
        assertEquals(List.of("text_encoder"), p.clip().stream().map(x -> x.getFileName().toString()).toList());
        assertEquals("text_encoder_2", p.t5().orElseThrow().getFileName().toString());
        assertTrue(p.t5Tokenizer().isEmpty());
    }

    @Test
    void specsThatCannotGoTogetherAreRefused() {
        String t5 = Goldens.path("t5/t5-tiny").toString();
        assertTrue(assertThrows(InvalidInputException.class, () -> ModelSpec.parse(List.of())).getMessage()
                .contains("no model"));
        assertTrue(assertThrows(InvalidInputException.class, () -> ModelSpec.parse(List.of("builtin:sd15-random",
                t5))).getMessage().contains("cannot be combined"));
        assertTrue(assertThrows(InvalidInputException.class, () -> ModelSpec.parse(List.of(t5, t5))).getMessage()
                .contains("two T5 encoders"));
        assertTrue(assertThrows(InvalidInputException.class, () -> ModelSpec.parse(List.of(
                Goldens.path("t5/tokenizer").toString()))).getMessage().contains("without a T5 encoder"));
    }
}
