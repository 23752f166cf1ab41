package dev.sdcond.conditioning;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sdcond.conditioning.prompt.PromptStyle;
import dev.sdcond.models.Goldens;
import dev.sdcond.models.InvalidInputException;
import dev.sdcond.models.LinearKernel;
import dev.sdcond.models.Precision;
import dev.sdcond.models.lora.LoraSpec;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import org.junit.jupiter.api.Test;

/** The request: validated when built, the layer each choice takes (by the tools' numbering), and its serial form. */
class TextRequestTest {
    private static TextRequestBuilder sd15() {
        return TextRequest.builder().setModels("builtin:sd15-random");
    }

    @Test
    void badValuesFailWhenBuiltNamingTheValue() {
        assertTrue(assertThrows(InvalidInputException.class, () -> TextRequest.builder().build()).getMessage()
                .contains("no model"));
        assertTrue(assertThrows(InvalidInputException.class, () -> sd15().optMaxChunks(-1).build()).getMessage()
                .contains("-1"));
        assertTrue(assertThrows(InvalidInputException.class, () -> sd15().optT5Length(513).build()).getMessage()
                .contains("513"));
        assertTrue(assertThrows(InvalidInputException.class, () -> sd15().optT5Length(64)
                .optStyle(PromptStyle.COMFY).build()).getMessage().contains("ComfyUI"));
        // A1111's "Clip skip" starts at 1 and ComfyUI's CLIPSetLastLayer at -1: 0 is neither
        assertThrows(InvalidInputException.class, () -> new LayerChoice.ClipSkip(0, ClipSkipConvention.A1111,
                Optional.empty()));
        assertThrows(InvalidInputException.class, () -> new LayerChoice.ClipSkip(0, ClipSkipConvention.COMFY,
                Optional.empty()));
    }

    @Test
    void eachLayerChoiceTakesTheLayerItsToolTakes() throws Exception {
        // A1111 clip skip 2 = the penultimate layer through the final norm; diffusers' SD pipeline clip_skip=1 the
        // same (encode_prompt applies final_layer_norm); its SDXL pipeline hidden_states[-(1 + 2)], raw
        assertEquals(Optional.of(new LayerSelection(-2, true)),
                new LayerChoice.ClipSkip(2, ClipSkipConvention.A1111, Optional.empty()).in(Preset.SD15));
        assertEquals(Optional.of(new LayerSelection(-2, true)),
                new LayerChoice.ClipSkip(1, ClipSkipConvention.DIFFUSERS, Optional.empty()).in(Preset.SD15));
        assertEquals(Optional.of(new LayerSelection(-3, false)),
                new LayerChoice.ClipSkip(1, ClipSkipConvention.DIFFUSERS, Optional.empty()).in(Preset.SDXL));
        // no convention named: A1111's on SD1.x/SDXL, diffusers' on SD3 (its pipeline's hidden_states[-(1 + 2)], raw)
        // and Flux (CLIP-L: hidden_states[-(1 + 1)] through the final norm)
        LayerChoice.ClipSkip unnamed = new LayerChoice.ClipSkip(1, Optional.empty(), Optional.empty());
        assertEquals(Optional.of(new LayerSelection(-1, true)), unnamed.in(Preset.SD15));
        assertEquals(Optional.of(new LayerSelection(-3, false)), unnamed.in(Preset.SD3));
        assertEquals(Optional.of(new LayerSelection(-2, true)), unnamed.in(Preset.FLUX));
        assertEquals(unnamed, ((TextRequest) roundTrip(sd15().optLayer(unnamed).build())).layer());
        // ComfyUI -2 on SD1 (final norm applied)
        assertEquals(Optional.of(new LayerSelection(-2, true)),
                new LayerChoice.ClipSkip(-2, ClipSkipConvention.COMFY, Optional.empty()).in(Preset.SD15));
        // only the final norm changed: SD2's own penultimate layer, without the norm
        assertEquals(Optional.of(new LayerSelection(-2, false)),
                new LayerChoice.Index(OptionalInt.empty(), Optional.of(false)).in(Preset.SD2));
        assertEquals(Optional.of(new LayerSelection(-3, true)), new LayerChoice.Index(-3).in(Preset.SD15));
        assertEquals(Optional.empty(), LayerChoice.PRESET.in(Preset.SDXL));
    }

    @Test
    void aRequestSurvivesSerializationAsAnEqualValue() throws Exception {
        TextRequest r = TextRequest.builder().setModels("a", "b").optPreset(Preset.SDXL).optStyle(PromptStyle.COMFY)
                .optSyntax(SyntaxMode.STRICT).optCommaBacktrack(0).optMaxChunks(3)
                .optLayer(new LayerChoice.ClipSkip(2, ClipSkipConvention.A1111, Optional.of(false)))
                .optZeroEmptyNegative(false).addLora(new LoraSpec(Path.of("l.safetensors"), 0.25))
                .addLoraDir(Path.of("loras")).addEmbeddingDir(Path.of("emb")).optNames(OutputNames.DIFFUSERS)
                .optDtype(Precision.BFLOAT16).optLinear(LinearKernel.PLAIN).build();
        assertEquals(r, roundTrip(r));
        TextRequest index = sd15().optLayer(new LayerChoice.Index(OptionalInt.empty(), Optional.of(true)))
                .optT5Length(77).build();
        assertEquals(index, roundTrip(index));
        assertEquals(sd15().build(), roundTrip(sd15().build()));
        assertEquals(r, r.toBuilder().build());
    }

    private static Object roundTrip(Object o) throws Exception {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
            out.writeObject(o);
        }
        try (ObjectInputStream in = new ObjectInputStream(new ByteArrayInputStream(bytes.toByteArray()))) {
            return in.readObject();
        }
    }

    @Test
    void a1111TagsBecomeLorasMergedOncePerFileAndOtherStylesKeepThemAsText() {
        Path loras = Goldens.path("ti-lora/loras");
        TextRequest a1111 = sd15().addLoraDir(loras).addLora(new LoraSpec(Path.of("given.safetensors"), 1.0)).build();
        PreparedPrompt p = PreparedPrompt.of(a1111, "a <lora:sd1_peft:0.5>fox<lora:sd1_kohya_alpha> <lora:sd1_peft:0.25>",
                "blurry <lora:sd1_peft:1>");
        assertEquals("a fox ", p.text());
        assertEquals("blurry <lora:sd1_peft:1>", p.negative()); // A1111 reads no tags in the negative prompt
        assertEquals(List.of(new LoraSpec(Path.of("given.safetensors"), 1.0),
                new LoraSpec(loras.resolve("sd1_peft.safetensors"), 0.75),
                new LoraSpec(loras.resolve("sd1_kohya_alpha.safetensors"), 1.0)), p.loras());
        PreparedPrompt comfy = PreparedPrompt.of(sd15().optStyle(PromptStyle.COMFY).build(), "a <lora:x:1> fox", null);
        assertEquals("a <lora:x:1> fox", comfy.text());
        assertEquals(List.of(), comfy.loras());
        assertTrue(assertThrows(InvalidInputException.class, () -> PreparedPrompt.of(a1111, "<lora:absent:1>", null))
                .getMessage().contains("absent.safetensors"));
        assertThrows(InvalidInputException.class, () -> PreparedPrompt.of(sd15().optSyntax(SyntaxMode.STRICT).build(),
                "(unclosed", null));
        assertEquals("(unclosed", PreparedPrompt.of(sd15().build(), "(unclosed", null).text());
        // issue 29: 10,000 tags naming one file are one LoRA at their summed strength (the file merged once)
        PreparedPrompt many = org.junit.jupiter.api.Assertions.assertTimeoutPreemptively(java.time.Duration.ofSeconds(20),
                () -> PreparedPrompt.of(sd15().addLoraDir(loras).build(), "cat" + " <lora:sd1_peft:0.5>".repeat(10_000),
                        null));
        assertEquals(List.of(new LoraSpec(loras.resolve("sd1_peft.safetensors"), 5000.0)), many.loras());
    }
}
