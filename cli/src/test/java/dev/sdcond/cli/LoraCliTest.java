package dev.sdcond.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import dev.sdcond.cli.CliTest.Run;
import dev.sdcond.models.Goldens;
import dev.sdcond.models.safetensors.SafetensorsFile;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** --lora through the command line, against ComfyUI's conditioning of the same LoRA. */
class LoraCliTest {
    @TempDir
    Path tmp;

    private static String g(String rel) {
        return Goldens.path(rel).toString();
    }

    @Test
    void sdxlWithAKohyaLoraMatchesComfyUI() {
        Path out = tmp.resolve("lora.safetensors");
        Run r = CliTest.run("encode-text", "-m", g("clip-tiny-a"), "-m", g("clip-text-tiny-b"), "--preset", "sdxl",
                "--style", "comfy", "-p", "a (red:1.3) car on a road at night",
                "--lora", g("ti-lora/loras/sdxl_kohya_alpha.safetensors") + ":0.6", "-o", out.toString());
        assertEquals(0, r.code(), r.err());
        try (SafetensorsFile f = SafetensorsFile.open(out);
                SafetensorsFile golden = SafetensorsFile.open(Goldens.path("ti-lora/lora_hidden.safetensors"));
                NDManager m = NDManager.newBaseManager()) {
            String key = "sdxl_kohya_alpha@sdxl.s0.6.p2.comfy.";
            Goldens.assertClose(golden.load(key + "hidden", m, DataType.FLOAT32),
                    f.load("hidden_states", m, DataType.FLOAT32).get(0), 1e-4f, "hidden_states");
            Goldens.assertClose(golden.load(key + "pooled", m, DataType.FLOAT32),
                    f.load("pooled", m, DataType.FLOAT32).get(0), 1e-4f, "pooled");
            String loras = f.metadata().get("loras");
            assertTrue(loras.contains("sdxl_kohya_alpha.safetensors") && loras.contains("\"strength\":0.6"), loras);
        }
    }

    @Test
    void badLoraArgumentsFailBeforeLoading() {
        Path out = tmp.resolve("x.safetensors");
        Run missing = CliTest.run("encode-text", "-m", tmp.resolve("no-model").toString(), "-p", "x", "--lora",
                tmp.resolve("nope.safetensors").toString(), "-o", out.toString());
        assertEquals(2, missing.code(), missing.err());
        assertTrue(missing.err().contains("--lora") && missing.err().contains("nope.safetensors"), missing.err());
        Run strength = CliTest.run("encode-text", "-m", tmp.resolve("no-model").toString(), "-p", "x", "--lora",
                g("ti-lora/loras/sd1_peft.safetensors") + ":strong", "-o", out.toString());
        assertEquals(2, strength.code(), strength.err());
        assertTrue(strength.err().contains("strong"), strength.err());
        assertFalse(Files.exists(out));
    }

    @Test
    void a1111LoraTagsInThePromptMatchA1111() {
        Path out = tmp.resolve("tag.safetensors");
        Run r = CliTest.run("encode-text", "-m", g("clip-tiny-a"), "--preset", "sd15", "--style", "a1111",
                "-p", "a photo of a cat <lora:sd1_kohya_alpha:0.6>", "--lora-dir", g("ti-lora"),
                "--negative", "blurry <lora:not_parsed_in_negatives:1>", "-o", out.toString());
        assertEquals(0, r.code(), r.err());
        try (SafetensorsFile f = SafetensorsFile.open(out);
                SafetensorsFile golden = SafetensorsFile.open(Goldens.path("ti-lora/lora_hidden.safetensors"));
                NDManager m = NDManager.newBaseManager()) {
            Goldens.assertClose(golden.load("sd1_kohya_alpha@sd1.s0.6.p1.a1111.hidden", m, DataType.FLOAT32),
                    f.load("hidden_states", m, DataType.FLOAT32).get(0), 1e-4f, "hidden_states");
            assertTrue(f.metadata().get("loras").contains("sd1_kohya_alpha"), f.metadata().get("loras"));
            assertEquals("a photo of a cat <lora:sd1_kohya_alpha:0.6>", f.metadata().get("prompt"));
        }
        Run missing = CliTest.run("encode-text", "-m", tmp.resolve("no-model").toString(), "-p", "x <lora:nope:1>",
                "--lora-dir", g("ti-lora"), "-o", tmp.resolve("m.safetensors").toString());
        assertEquals(2, missing.code(), missing.err());
        assertTrue(missing.err().contains("nope.safetensors"), missing.err());
    }
}
