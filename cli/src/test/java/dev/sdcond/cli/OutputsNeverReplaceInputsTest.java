package dev.sdcond.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sdcond.cli.CliTest.Run;
import dev.sdcond.models.Goldens;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Safe round 2, outputs and inputs: {@code --force} replaces only regular files, never the command's own inputs
 * (by real path and file identity), never a link, FIFO or device; a file output named with a trailing separator is
 * refused; a FIFO given as an input is refused before it is opened (it would block forever).
 */
class OutputsNeverReplaceInputsTest {
    @TempDir
    Path tmp;

    private static Run run(String... args) {
        return CliTest.run(args);
    }

    private static Path fifo(Path p) throws IOException, InterruptedException {
        Process mk = new ProcessBuilder("mkfifo", p.toString()).inheritIO().start();
        assertEquals(0, mk.waitFor());
        return p;
    }

    @Test
    void forceNeverReplacesAFifoALinkOrAFolderPath() throws Exception {
        Path fifo = fifo(tmp.resolve("pipe"));
        Run r = run("encode-text", "-m", "builtin:sd15-random", "-p", "x", "--no-hash", "--force", "-o", fifo.toString());
        assertEquals(2, r.code(), r.err());
        assertTrue(r.err().contains("not a regular file"), r.err());
        assertFalse(Files.isRegularFile(fifo), "the FIFO is still a FIFO");
        // /dev/null: a device, never replaced (run as root this would have been the system's)
        Run dev = run("encode-text", "-m", "builtin:sd15-random", "-p", "x", "--no-hash", "--force", "-o", "/dev/null");
        assertEquals(2, dev.code(), dev.err());
        assertTrue(dev.err().contains("not a regular file"), dev.err());
        // a link: the user's link stays a link
        Path target = Files.writeString(tmp.resolve("target.safetensors"), "the user's");
        Path link = Files.createSymbolicLink(tmp.resolve("link.safetensors"), target);
        Run l = run("encode-text", "-m", "builtin:sd15-random", "-p", "x", "--no-hash", "--force", "-o", link.toString());
        assertEquals(2, l.code(), l.err());
        assertTrue(Files.isSymbolicLink(link) && Files.readString(target).equals("the user's"), l.err());
        // npy -o at a link to a folder: named as a link, not "a file"
        Path folderLink = Files.createSymbolicLink(tmp.resolve("folder-link"), Files.createDirectories(tmp.resolve("d")));
        Run n = run("encode-text", "-m", "builtin:sd15-random", "-p", "x", "--no-hash", "--format", "npy", "--force",
                "-o", folderLink.toString());
        assertEquals(2, n.code(), n.err());
        assertTrue(n.err().contains("symbolic link to a folder"), n.err());
        // a trailing separator names a folder: no file is written there
        Run s = run("encode-text", "-m", "builtin:sd15-random", "-p", "x", "--no-hash", "-o",
                tmp.resolve("x.safetensors") + "/");
        assertEquals(2, s.code(), s.err());
        assertTrue(s.err().contains("separator"), s.err());
        assertFalse(Files.exists(tmp.resolve("x.safetensors")));
    }

    @Test
    void forceNeverOverwritesWhatTheCommandReads() throws Exception {
        Path prompts = Files.writeString(tmp.resolve("p.jsonl"), "{\"prompt\": \"a cat\"}\n");
        byte[] before = Files.readAllBytes(prompts);
        Run p = run("encode-text", "-m", "builtin:sd15-random", "--prompts", prompts.toString(), "--no-hash", "--force",
                "-o", prompts.toString());
        assertEquals(2, p.code(), p.err());
        assertTrue(p.err().contains("reads"), p.err());
        assertArrayEquals(before, Files.readAllBytes(prompts));
        // a hard link to the input is the same file
        Path hard = Files.createLink(tmp.resolve("hard.jsonl"), prompts);
        assertEquals(2, run("encode-text", "-m", "builtin:sd15-random", "--prompts", prompts.toString(), "--no-hash",
                "--force", "-o", hard.toString()).code());
        assertArrayEquals(before, Files.readAllBytes(prompts));
        // a LoRA, and a model's own weights
        Path lora = Files.copy(Goldens.path("ti-lora/loras/sd1_peft.safetensors"), tmp.resolve("l.safetensors"));
        byte[] loraBytes = Files.readAllBytes(lora);
        Path model = tmp.resolve("model");
        Goldens.copyTree(Goldens.path("clip-tiny-a"), model);
        Path weights = model.resolve("model.safetensors");
        byte[] weightBytes = Files.readAllBytes(weights);
        assertEquals(2, run("encode-text", "-m", model.toString(), "-p", "x", "--lora", lora.toString(), "--force",
                "-o", lora.toString()).code());
        assertEquals(2, run("encode-text", "-m", model.toString(), "-p", "x", "--force", "-o", weights.toString())
                .code());
        assertArrayEquals(loraBytes, Files.readAllBytes(lora));
        assertArrayEquals(weightBytes, Files.readAllBytes(weights));
        // an image given with -i
        Path png = Files.copy(Goldens.path("images/" + firstImage()), tmp.resolve("in.png"));
        byte[] pngBytes = Files.readAllBytes(png);
        Run i = run("encode-image", "-m", "builtin:vit-h-random", "-i", png.toString(), "--force", "-o", png.toString());
        assertEquals(2, i.code(), i.err());
        assertArrayEquals(pngBytes, Files.readAllBytes(png));
        // a new output inside the model folder is fine
        assertEquals(0, run("encode-text", "-m", model.toString(), "-p", "x", "-o",
                model.resolve("new.safetensors").toString()).code());
    }

    @Test
    void aFifoGivenAsAnInputIsRefusedAtOnce() throws Exception {
        Path fifo = fifo(tmp.resolve("image.png"));
        Run r = assertTimeoutPreemptively(Duration.ofSeconds(60), () -> run("encode-image", "-m",
                "builtin:vit-h-random", "-i", fifo.toString(), "-o", tmp.resolve("o.safetensors").toString()));
        assertEquals(2, r.code(), r.err());
        assertTrue(r.err().contains("not a regular file"), r.err());
        Path prompts = fifo(tmp.resolve("prompts.jsonl"));
        Run p = assertTimeoutPreemptively(Duration.ofSeconds(60), () -> run("encode-text", "-m", "builtin:sd15-random",
                "--prompts", prompts.toString(), "-o", tmp.resolve("t.safetensors").toString()));
        assertEquals(2, p.code(), p.err());
        assertTrue(p.err().contains("not a regular file"), p.err());
    }

    private static String firstImage() throws IOException {
        try (var s = Files.list(Goldens.path("images"))) {
            return s.map(f -> f.getFileName().toString()).filter(n -> n.endsWith(".png")).sorted().findFirst()
                    .orElseThrow();
        }
    }

}
