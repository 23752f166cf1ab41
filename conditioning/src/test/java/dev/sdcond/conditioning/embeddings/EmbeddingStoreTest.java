package dev.sdcond.conditioning.embeddings;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import dev.sdcond.conditioning.EncodeOptions;
import dev.sdcond.conditioning.LoadedTextModel;
import dev.sdcond.conditioning.Preset;
import dev.sdcond.conditioning.TextModels;
import dev.sdcond.conditioning.prompt.PromptStyle;
import dev.sdcond.models.Compute;
import dev.sdcond.models.Goldens;
import dev.sdcond.models.InvalidInputException;
import dev.sdcond.models.safetensors.SafetensorsWriter;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Embedding files in every format, and the errors for those that cannot be used. */
class EmbeddingStoreTest {
    @TempDir
    Path tmp;

    @Test
    void everyGoldenFormatReads() {
        EmbeddingStore s = EmbeddingStore.of(List.of(Goldens.path("ti-lora/embeddings")));
        assertEquals(1, s.find("sksone").orElseThrow().count());
        assertEquals(2, s.find("skstwo").orElseThrow().count());
        assertEquals(5, s.find("sksfive.safetensors").orElseThrow().count(), "a file name with its extension too");
        assertEquals(1, s.find("sksvec").orElseThrow().count(), "1-D");
        assertEquals(2, s.find("sksfp").orElseThrow().count(), "F16");
        Embedding xl = s.find("sksxl").orElseThrow();
        assertTrue(xl.dual());
        assertEquals(32, xl.forPart("clip_l")[0].length);
        assertEquals(40, xl.forPart("clip_g")[0].length);
        assertEquals(72, xl.width());
    }

    @Test
    void aWidthThatDoesNotFitTheEncoderIsAnErrorNamingBoth() throws IOException {
        // clip-text-tiny-b is 40 wide; sksone is 32 wide
        try (LoadedTextModel model = TextModels.open(List.of(Goldens.path("clip-text-tiny-b").toString()), Preset.SD15,
                Compute.CPU); NDManager m = NDManager.newBaseManager()) {
            EmbeddingStore s = EmbeddingStore.of(List.of(Goldens.path("ti-lora/embeddings")));
            InvalidInputException e = assertThrows(InvalidInputException.class, () -> model.conditioner().encode(m,
                    "a embedding:sksone", null, EncodeOptions.DEFAULT.withStyle(PromptStyle.COMFY).withEmbeddings(s)));
            assertTrue(e.getMessage().contains("sksone.safetensors") && e.getMessage().contains("32")
                    && e.getMessage().contains("40"), e.getMessage());
            // A1111 loads only embeddings of the model's width: the name stays text, and the prompt is told why
            var warnings = model.conditioner().encode(m, "a sksone, sksone and sksxl", null,
                    EncodeOptions.DEFAULT.withEmbeddings(s)).positive().warnings().get(0);
            assertEquals(List.of("'sksone' is a single-encoder embedding of width 32 (sksone.safetensors); this model's"
                    + " width is 40, so the name is encoded as text (A1111 skips it too)", "'sksxl' is an SDXL"
                    + " embedding (clip_l + clip_g) (sksxl.safetensors); this model's width is 40, so the name is"
                    + " encoded as text (A1111 skips it too)"), warnings.stream().map(w -> w.message()).toList());
            assertTrue(model.conditioner().encode(m, "a photo", null, EncodeOptions.DEFAULT.withEmbeddings(s))
                    .positive().warnings().get(0).isEmpty());
        }
    }

    @Test
    void picklesAndStrangeFilesAreRefused() throws IOException {
        Path dir = Files.createDirectories(tmp.resolve("emb"));
        Files.write(dir.resolve("old.pt"), new byte[] {(byte) 0x80, 2, '.'});
        EmbeddingStore s = EmbeddingStore.of(List.of(dir));
        InvalidInputException e = assertThrows(InvalidInputException.class, () -> s.find("old"));
        assertTrue(e.getMessage().contains("pickle"), e.getMessage());
        // A1111 would read it where its name appears; it is refused there too, not taken for text
        try (var tok = dev.sdcond.conditioning.tokenizer.ClipTokenizer.bundled()) {
            var pt = new dev.sdcond.conditioning.prompt.PromptTokenizer(tok, PromptStyle.A1111, false, 20,
                    new dev.sdcond.conditioning.prompt.PromptTokenizer.Triggers(s,
                            dev.sdcond.conditioning.prompt.A1111Triggers.of(s, tok, new int[] {32})));
            assertThrows(InvalidInputException.class, () -> pt.tokenize("a photo in old style"));
            pt.tokenize("a photo in new style");
        }
        // several keys: ComfyUI takes the first in sorted order, A1111 refuses the file (its name stays text)
        Path odd = Files.createDirectories(tmp.resolve("odd/sub"));
        new SafetensorsWriter().addFloats("b", new long[] {1, 4}, new float[] {2, 2, 2, 2}).addFloats("a",
                new long[] {1, 4}, new float[] {1, 1, 1, 1}).write(odd.resolve("two.safetensors"), false);
        new SafetensorsWriter().addFloats("emb_params", new long[] {0, 4}, new float[0])
                .write(odd.resolve("broken.safetensors"), false);
        EmbeddingStore oddStore = EmbeddingStore.of(List.of(tmp.resolve("odd")));
        Embedding two = oddStore.find("two").orElseThrow();
        assertEquals(1f, two.forPart("clip_l")[0][0]);
        assertTrue(!two.a1111());
        // under A1111's style the name stays text, with a warning naming the file (A1111's loader raises "embedding
        // file has multiple terms in it" and skips it); an emb_params file with a second tensor is refused the same way
        try (var tok = dev.sdcond.conditioning.tokenizer.ClipTokenizer.bundled()) {
            var pt = new dev.sdcond.conditioning.prompt.PromptTokenizer(tok, PromptStyle.A1111, false, 20,
                    new dev.sdcond.conditioning.prompt.PromptTokenizer.Triggers(oddStore,
                            dev.sdcond.conditioning.prompt.A1111Triggers.of(oddStore, tok, new int[] {4})));
            var t = pt.tokenize("a two cat");
            assertEquals(List.of(320, 1237, 2368), java.util.Arrays.stream(t.chunks().get(0).tokens()).boxed()
                    .map(Long::intValue).toList(), "the name as text");
            assertEquals(1, t.warnings().size());
            assertTrue(t.warnings().get(0).message().contains("two.safetensors") && t.warnings().get(0).message()
                    .contains("embedding file has multiple terms in it"), t.warnings().toString());
        }
        Path extra = Files.createDirectories(tmp.resolve("extra"));
        new SafetensorsWriter().addFloats("emb_params", new long[] {1, 4}, new float[] {1, 1, 1, 1}).addFloats("step",
                new long[] {1}, new float[] {5}).write(extra.resolve("plus.safetensors"), false);
        assertTrue(!EmbeddingStore.of(List.of(extra)).find("plus").orElseThrow().a1111());
        assertEquals(two, oddStore.find("sub/two").orElseThrow(), "ComfyUI names files in subfolders by their path");
        // a broken file stops nothing until a prompt uses it
        InvalidInputException broken = assertThrows(InvalidInputException.class, () -> oddStore.find("broken"));
        assertTrue(broken.getMessage().contains("broken.safetensors"), broken.getMessage());
        assertThrows(InvalidInputException.class, () -> EmbeddingStore.of(List.of(tmp.resolve("missing"))));
    }
}
