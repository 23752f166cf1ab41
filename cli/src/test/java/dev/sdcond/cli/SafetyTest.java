package dev.sdcond.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sdcond.cli.CliTest.Run;
import dev.sdcond.models.Goldens;
import dev.sdcond.models.safetensors.SafetensorsFile;
import dev.sdcond.models.safetensors.SafetensorsWriter;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** No data loss, errors before the work, one exit-code contract: the command line with hostile arguments. */
class SafetyTest {
    @TempDir
    Path tmp;

    private static Run run(String... args) {
        return CliTest.run(args);
    }

    private static String g(String rel) {
        return Goldens.path(rel).toString();
    }

    private static List<String> list(Path dir) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    /** A user's folder with a photo in it. */
    private Path usersFolder(String name) throws IOException {
        Path dir = Files.createDirectories(tmp.resolve(name));
        Files.writeString(dir.resolve("photo.jpg"), "the user's photo");
        return dir;
    }

    @Test
    void npyForceNeverDeletesAFolderSdcondDidNotWrite() throws IOException {
        Path photos = usersFolder("photos");
        Run r = run("encode-text", "-m", "builtin:sd15-random", "-p", "x", "--no-hash", "--format", "npy", "--force",
                "-o", photos.toString());
        assertEquals(2, r.code(), r.err());
        assertTrue(r.err().contains("did not write"), r.err());
        assertEquals("the user's photo", Files.readString(photos.resolve("photo.jpg")));
        // '.', '..' and a path ending in them are refused whatever the format
        for (Path bad : new Path[] {photos.resolve("."), photos.resolve("sub/.."), Path.of(".")}) {
            Run d = run("encode-text", "-m", "builtin:sd15-random", "-p", "x", "--no-hash", "--format", "npy", "--force",
                    "-o", bad.toString());
            assertEquals(2, d.code(), d.err());
            assertTrue(d.err().contains("not an output name"), d.err());
        }
        assertEquals(List.of("photo.jpg"), list(photos));
        // an npy output that sdcond wrote is replaced with --force, and only then
        Path npy = tmp.resolve("out-npy");
        assertEquals(0, run("encode-text", "-m", "builtin:sd15-random", "-p", "a", "--no-hash", "--format", "npy", "-o",
                npy.toString()).code());
        assertEquals(2, run("encode-text", "-m", "builtin:sd15-random", "-p", "b", "--no-hash", "--format", "npy", "-o",
                npy.toString()).code());
        assertEquals(0, run("encode-text", "-m", "builtin:sd15-random", "-p", "b", "--no-hash", "--format", "npy",
                "--force", "-o", npy.toString()).code());
        assertTrue(Files.readString(npy.resolve("metadata.json")).contains("\"b\""));
        // once a user adds a file of their own to it, it is theirs
        Files.writeString(npy.resolve("notes.txt"), "mine");
        assertEquals(2, run("encode-text", "-m", "builtin:sd15-random", "-p", "c", "--no-hash", "--format", "npy",
                "--force", "-o", npy.toString()).code());
        assertEquals("mine", Files.readString(npy.resolve("notes.txt")));
        // a file is never replaced by a folder, nor a folder by a file
        assertEquals(2, run("encode-text", "-m", "builtin:sd15-random", "-p", "x", "--no-hash", "--force", "-o",
                photos.toString()).code());
        assertTrue(Files.exists(photos.resolve("photo.jpg")));
    }

    @Test
    void jsonlNamesThatEscapeTheOutputFolderAreRefused() throws IOException {
        Path outDir = usersFolder("out");
        for (String name : new String[] {"..", ".", "a/b", ""}) {
            Path jsonl = tmp.resolve("p.jsonl");
            Files.writeString(jsonl, "{\"prompt\": \"a cat\", \"name\": \"" + name + "\"}\n");
            Run r = run("encode-text", "-m", "builtin:sd15-random", "--prompts", jsonl.toString(), "--output-dir",
                    outDir.toString(), "--format", "npy", "--force", "--no-hash");
            assertEquals(2, r.code(), name + ": " + r.err());
            assertTrue(r.err().contains("line 1"), r.err());
        }
        assertEquals(List.of("photo.jpg"), list(outDir));
        assertTrue(Files.isDirectory(tmp), "the parent is still there");
    }

    @Test
    void outputCollisionsAreRefusedBeforeAnyWork() throws IOException {
        Path images = Files.createDirectories(tmp.resolve("imgs"));
        Files.copy(Goldens.path("images/chelsea.png"), images.resolve("a.png"));
        Files.copy(Goldens.path("images/chelsea_q90.jpg"), images.resolve("a.jpg"));
        Files.copy(Goldens.path("images/coffee.png"), images.resolve("b.png"));
        Path out = tmp.resolve("embeds");
        Run r = run("encode-image", "-m", g("clip-vision-tiny-h"), "--images", images.toString(), "--output-dir",
                out.toString(), "--force", "--no-hash");
        assertEquals(2, r.code(), r.err());
        assertTrue(r.err().contains("a.safetensors") && r.err().contains("a.png") && r.err().contains("a.jpg"), r.err());
        assertFalse(Files.exists(out), "nothing written");
        // duplicate JSONL names, and a name equal to another line's number
        Path jsonl = tmp.resolve("dup.jsonl");
        Files.writeString(jsonl, "{\"prompt\": \"a\", \"name\": \"x\"}\n{\"prompt\": \"b\", \"name\": \"x\"}\n"
                + "{\"prompt\": \"c\", \"name\": \"000004\"}\n{\"prompt\": \"d\"}\n");
        Path textOut = tmp.resolve("text");
        Run t = run("encode-text", "-m", "builtin:sd15-random", "--prompts", jsonl.toString(), "--output-dir",
                textOut.toString(), "--no-hash");
        assertEquals(2, t.code(), t.err());
        assertTrue(t.err().contains("x.safetensors") && t.err().contains("line 1") && t.err().contains("line 2"), t.err());
        assertTrue(t.err().contains("000004.safetensors"), t.err());
        assertFalse(Files.exists(textOut));
        // an existing output without --force is found before the work too, not halfway
        Files.createDirectories(textOut);
        Files.writeString(textOut.resolve("000002.safetensors"), "keep");
        Path two = tmp.resolve("two.jsonl");
        Files.writeString(two, "{\"prompt\": \"a\"}\n{\"prompt\": \"b\"}\n");
        Run e = run("encode-text", "-m", "builtin:sd15-random", "--prompts", two.toString(), "--output-dir",
                textOut.toString(), "--no-hash");
        assertEquals(2, e.code(), e.err());
        assertEquals(List.of("000002.safetensors"), list(textOut));
    }

    @Test
    void promptsStartingWithAtAreLiteral() throws IOException {
        Path secret = tmp.resolve("secret.txt");
        Files.writeString(secret, "top secret contents");
        Path out = tmp.resolve("at.safetensors");
        Run r = run("encode-text", "-m", "builtin:sd15-random", "--prompt", "@" + secret, "--no-hash", "-o",
                out.toString());
        assertEquals(0, r.code(), r.err());
        try (SafetensorsFile f = SafetensorsFile.open(out)) {
            assertEquals("@" + secret, f.metadata().get("prompt"));
        }
        Run bad = run("encode-text", "-m", "builtin:sd15-random", "--prompt", "@" + secret, "--threads", "0", "-o",
                tmp.resolve("b.safetensors").toString());
        assertEquals(2, bad.code());
        assertFalse(bad.err().contains("top secret"), bad.err());
        Run tok = run("tokenize", "--prompt", "@" + secret);
        assertEquals(0, tok.code(), tok.err());
        assertFalse(tok.out().contains("secret</w> contents"), tok.out());
    }

    @Test
    void staleTemporariesOfKilledRunsAreCleanedAndNothingElse() throws IOException {
        Path dir = Files.createDirectories(tmp.resolve("stale"));
        long self = ProcessHandle.current().pid();
        // pid 99999999 is over any kernel's pid limit: its writer is gone
        Path dead = Files.writeString(dir.resolve(".out.safetensors.99999999.123.partial"), "x");
        Path old = Files.writeString(dir.resolve(".out.safetensors.4711471147114711.partial"), "x");
        Path oldOther = Files.writeString(dir.resolve(".emb.st.4711471147114711.partial"), "x");
        Path live = Files.writeString(dir.resolve(".other.safetensors." + self + ".9.partial"), "x");
        Path deadNpy = Files.createDirectories(dir.resolve(".emb." + 99999999 + ".5.partial"));
        Files.writeString(deadNpy.resolve("hidden_states.npy"), "x");
        Path usersHidden = Files.createDirectories(dir.resolve(".photos.99999999.5.partial"));
        Files.writeString(usersHidden.resolve("photo.jpg"), "x");
        Path usersFile = Files.writeString(dir.resolve(".notes.txt"), "x");
        Run r = run("encode-text", "-m", "builtin:sd15-random", "-p", "x", "--no-hash", "-o",
                dir.resolve("out.safetensors").toString());
        assertEquals(0, r.code(), r.err());
        assertFalse(Files.exists(dead));
        assertFalse(Files.exists(old));
        assertFalse(Files.exists(oldOther));
        assertFalse(Files.exists(deadNpy));
        assertTrue(Files.exists(live), "a running writer's temporary stays");
        assertTrue(Files.exists(usersHidden.resolve("photo.jpg")), "a folder that holds more than npy files stays");
        assertTrue(Files.exists(usersFile));
    }

    @Test
    void badOptionsFailAtOnceNamingTheOption() throws IOException {
        Path out = tmp.resolve("o.safetensors");
        Path file = Files.writeString(tmp.resolve("a-file"), "x");
        Path folder = Files.createDirectories(tmp.resolve("a-folder"));
        // the model named does not exist: an error about it would mean the options were checked too late
        String[][] cases = {
            {"--format", "parquet", "-o", out.toString()},
            {"--clip-skip-style", "forge", "--clip-skip", "2", "-o", out.toString()},
            {"--threads", "0", "-o", out.toString()},
            {"--max-chunks", "-1", "-o", out.toString()},
            {"--style", "midjourney", "-o", out.toString()},
            {"--dtype", "int4", "-o", out.toString()},
            {"--device", "tpu", "-o", out.toString()},
            {"--preset", "sd9", "-o", out.toString()},
            {"--clip-skip", "0", "--clip-skip-style", "a1111", "-o", out.toString()},
            {"--clip-skip", "0", "--preset", "sd15", "-o", out.toString()},
            {"--format", "npy", "-o", tmp.resolve("x.safetensors").toString()},
            {"-o", out.toString(), "--output-dir", folder.toString()},
            {"--force", "-o", folder.toString()},
            {"-o", folder.toString()},
        };
        String[] names = {"--format", "--clip-skip-style", "--threads", "--max-chunks", "--style", "--dtype", "--device",
            "--preset", "--clip-skip", "--clip-skip", "--format npy", "--output-dir", "a-folder", "a-folder"};
        for (int i = 0; i < cases.length; i++) {
            List<String> args = new ArrayList<>(List.of("encode-text", "-m", tmp.resolve("no-model").toString(), "-p",
                    "x"));
            args.addAll(List.of(cases[i]));
            long loaded = dev.sdcond.models.weights.WeightReader.parametersLoaded();
            Run r = run(args.toArray(String[]::new));
            assertEquals(2, r.code(), String.join(" ", cases[i]) + ": " + r.err());
            assertTrue(r.err().contains(names[i]), names[i] + ": " + r.err());
            assertFalse(r.err().contains("no-model"), "checked before the model: " + r.err());
            assertEquals(loaded, dev.sdcond.models.weights.WeightReader.parametersLoaded(),
                    String.join(" ", cases[i]) + ": no model loaded");
        }
        // an output under a file cannot be written: exit 3, before the model too
        Run under = run("encode-text", "-m", tmp.resolve("no-model").toString(), "-p", "x", "-o",
                file.resolve("o.safetensors").toString());
        assertEquals(3, under.code(), under.err());
        assertTrue(under.err().contains("a-file") && under.err().contains("--output"), under.err());
        Path jsonl = Files.writeString(tmp.resolve("p.jsonl"), "{\"prompt\": \"x\"}\n");
        Run dirIsFile = run("encode-text", "-m", tmp.resolve("no-model").toString(), "--prompts", jsonl.toString(),
                "--output-dir", file.toString());
        assertEquals(3, dirIsFile.code(), dirIsFile.err());
        assertTrue(dirIsFile.err().contains("--output-dir"), dirIsFile.err());
        // image options
        Run img = run("encode-image", "-m", tmp.resolve("no-model").toString(), "-i", g("images/chelsea.png"),
                "--batch-size", "0", "-o", out.toString());
        assertEquals(2, img.code());
        assertTrue(img.err().contains("--batch-size"), img.err());
        Run alpha = run("encode-image", "-m", tmp.resolve("no-model").toString(), "-i", g("images/chelsea.png"),
                "--alpha", "purple", "-o", out.toString());
        assertEquals(2, alpha.code());
        assertTrue(alpha.err().contains("--alpha"), alpha.err());
        Run uncond = run("encode-image", "-m", tmp.resolve("no-model").toString(), "-i", g("images/chelsea.png"),
                "--uncond", "grey", "-o", out.toString());
        assertEquals(2, uncond.code());
        assertTrue(uncond.err().contains("--uncond"), uncond.err());
        assertFalse(Files.exists(out));
    }

    @Test
    void missingOrUnreadableInputsAreExit2WithThePath() throws IOException {
        Path out = tmp.resolve("o.safetensors");
        Path missing = tmp.resolve("missing-model");
        Run m = run("encode-text", "-m", missing.toString(), "-p", "x", "-o", out.toString());
        assertEquals(2, m.code(), m.err());
        assertTrue(m.err().contains("missing-model"), m.err());
        Path folder = Files.createDirectories(tmp.resolve("folder.png"));
        Run i = run("encode-image", "-m", g("clip-vision-tiny-h"), "-i", folder.toString(), "-o", out.toString());
        assertEquals(2, i.code(), i.err());
        assertTrue(i.err().contains("folder.png"), i.err());
        Run p = run("encode-text", "-m", "builtin:sd15-random", "--prompts", folder.toString(), "--output-dir",
                tmp.resolve("d").toString());
        assertEquals(2, p.code(), p.err());
        assertTrue(p.err().contains("folder.png"), p.err());
        // not UTF-8: the JSONL line, the config file
        Path jsonl = tmp.resolve("latin1.jsonl");
        Files.write(jsonl, ("{\"prompt\": \"ok\"}\n{\"prompt\": \"caf" + (char) 0xe9 + "\"}\n")
                .getBytes(java.nio.charset.StandardCharsets.ISO_8859_1));
        Run j = run("encode-text", "-m", "builtin:sd15-random", "--prompts", jsonl.toString(), "-o", out.toString());
        assertEquals(2, j.code(), j.err());
        assertTrue(j.err().contains("latin1.jsonl") && j.err().contains("line 2"), j.err());
        Path model = Files.createDirectories(tmp.resolve("m"));
        Files.copy(Goldens.path("clip-tiny-a/model.safetensors"), model.resolve("model.safetensors"));
        Files.write(model.resolve("config.json"), new byte[] {'{', '"', (byte) 0xff, '"', ':', '1', '}'});
        Run c = run("encode-text", "-m", model.toString(), "-p", "x", "-o", out.toString());
        assertEquals(2, c.code(), c.err());
        assertTrue(c.err().contains("config.json") && c.err().contains("UTF-8"), c.err());
        assertFalse(Files.exists(out));
    }

    @Test
    void aFullDiskNamesTheOutput() {
        Path target = tmp.resolve("out.safetensors");
        var e = dev.sdcond.models.io.OutputTargets.writeFailure(target,
                new java.nio.file.FileSystemException(tmp.resolve(".out.safetensors.1.2.partial").toString(), null,
                        "No space left on device"));
        assertTrue(e.getMessage().startsWith(target.toString()) && e.getMessage().contains("No space left"),
                e.getMessage());
        assertEquals(ExitCodes.IO, ExitCodes.of(e));
        assertEquals(ExitCodes.INTERNAL, ExitCodes.of(new IllegalArgumentException("a bug")));
    }

    @Test
    void compareHandlesEmptyHugeTensorsAndInfinities() throws IOException {
        Path a = tmp.resolve("a.safetensors");
        Path b = tmp.resolve("b.safetensors");
        Path c = tmp.resolve("c.safetensors");
        float inf = Float.POSITIVE_INFINITY;
        new SafetensorsWriter().add("empty", dev.sdcond.models.safetensors.DType.F32, new long[] {0, 1L << 40},
                java.nio.ByteBuffer.allocate(0)).addFloats("v", new long[] {4}, new float[] {inf, -inf, Float.NaN, 1f})
                .write(a, false);
        new SafetensorsWriter().add("empty", dev.sdcond.models.safetensors.DType.F32, new long[] {0, 1L << 40},
                java.nio.ByteBuffer.allocate(0)).addFloats("v", new long[] {4}, new float[] {inf, -inf, Float.NaN, 1f})
                .write(b, false);
        new SafetensorsWriter().add("empty", dev.sdcond.models.safetensors.DType.F32, new long[] {0, 1L << 40},
                java.nio.ByteBuffer.allocate(0)).addFloats("v", new long[] {4}, new float[] {-inf, -inf, Float.NaN, 1f})
                .write(c, false);
        Run same = run("compare", a.toString(), b.toString(), "--rtol", "1e-3");
        assertEquals(0, same.code(), same.out() + same.err());
        assertTrue(same.out().contains("empty") && same.out().contains("ok"), same.out());
        Run differ = run("compare", c.toString(), b.toString(), "--rtol", "1e-3");
        assertEquals(1, differ.code(), differ.out() + differ.err());
    }

    @Test
    void timingsSayWhereTheTimeWent() {
        Run r = run("encode-text", "-m", "builtin:sd15-random", "-p", "a cat", "--no-hash", "--timings", "-o",
                tmp.resolve("t.safetensors").toString());
        assertEquals(0, r.code(), r.err());
        for (String phase : new String[] {"start", "load", "tokenize", "forward", "write"}) {
            assertTrue(r.err().matches("(?s).*timings:.* " + phase + " \\d+ ms.*"), phase + ": " + r.err());
        }
    }
}
