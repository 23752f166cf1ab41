package dev.sdcond.models.safetensors;

import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import dev.sdcond.models.Goldens;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.lifecycle.BeforeContainer;

/**
 * Random mutations of real files: every one either opens (and then loads every tensor) or ends in our typed error
 * with a message; never another exception, a hang, or an allocation larger than the file.
 */
class SafetensorsFuzzTest {
    private static byte[] original;
    private static int headerEnd;

    @BeforeContainer
    static void load() throws IOException {
        original = Files.readAllBytes(Goldens.path("clip-vision-tiny-h/model.safetensors"));
        headerEnd = 8 + (int) ByteBuffer.wrap(original).order(ByteOrder.LITTLE_ENDIAN).getLong(0);
    }

    /** A mutation and what it did, for reports. */
    record Mutation(String what, byte[] bytes) {
        @Override
        public String toString() {
            return what;
        }
    }

    private static void check(Mutation m) throws IOException {
        Path p = Files.createTempFile("fuzz", ".safetensors");
        try {
            Files.write(p, m.bytes());
            try (SafetensorsFile f = SafetensorsFile.open(p); NDManager mgr = NDManager.newBaseManager()) {
                for (String n : f.names()) {
                    DType t = f.info(n).orElseThrow().dtype();
                    if (t.djlType().isPresent() || t == DType.BF16) {
                        f.load(n, mgr, t.isFloat() ? DataType.FLOAT32 : DataType.INT64).close();
                    }
                }
            } catch (SafetensorsException e) {
                assertTrue(e.getMessage() != null && e.getMessage().startsWith(p.toString()), e.getMessage());
            }
        } finally {
            Files.deleteIfExists(p);
        }
    }

    @Property(tries = 300)
    void flippedHeaderBytes(@ForAll("headerFlips") Mutation m) throws IOException {
        check(m);
    }

    @Property(tries = 100)
    void truncations(@ForAll("truncated") Mutation m) throws IOException {
        check(m);
    }

    @Property(tries = 100)
    void headerLengths(@ForAll("lengths") Mutation m) throws IOException {
        check(m);
    }

    @Property(tries = 200)
    void headerEdits(@ForAll("edits") Mutation m) throws IOException {
        check(m);
    }

    @Provide
    Arbitrary<Mutation> headerFlips() {
        return Combinators.combine(Arbitraries.integers().between(0, headerEnd - 1),
                Arbitraries.integers().between(1, 255), Arbitraries.integers().between(1, 4))
                .as((pos, xor, count) -> {
                    byte[] b = original.clone();
                    for (int i = 0; i < count && pos + i < headerEnd; i++) {
                        b[pos + i] ^= xor;
                    }
                    return new Mutation("xor " + xor + " at " + pos + " x" + count, b);
                });
    }

    @Provide
    Arbitrary<Mutation> truncated() {
        return Arbitraries.integers().between(0, original.length - 1)
                .map(n -> new Mutation("truncated to " + n, Arrays.copyOf(original, n)));
    }

    @Provide
    Arbitrary<Mutation> lengths() {
        return Arbitraries.longs().map(n -> {
            byte[] b = original.clone();
            ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).putLong(0, n);
            return new Mutation("header length " + n, b);
        });
    }

    /** Textual edits of the header JSON, keeping its length (padded with spaces) so the data stays in place. */
    @Provide
    Arbitrary<Mutation> edits() {
        String header = new String(original, 8, headerEnd - 8, StandardCharsets.UTF_8);
        Arbitrary<String> replacements = Arbitraries.of(
                "\"F16\"", "\"F17\"", "\"I64\"", "\"BOOL\"", "-1", "0", "99999999999999999999", "1e3", "[]", "{}",
                "null", "\"x\"", "[1,2,3]", "4294967296", "\"__metadata__\"", "{\"a\":1}", "true");
        return Combinators.combine(Arbitraries.integers().between(0, header.length() - 1), replacements,
                Arbitraries.integers().between(1, 12)).as((pos, rep, len) -> {
                    int end = Math.min(header.length(), pos + len);
                    String edited = header.substring(0, pos) + rep + header.substring(end);
                    byte[] h = edited.getBytes(StandardCharsets.UTF_8);
                    ByteBuffer b = ByteBuffer.allocate(8 + h.length + original.length - headerEnd).order(ByteOrder.LITTLE_ENDIAN);
                    b.putLong(h.length).put(h).put(original, headerEnd, original.length - headerEnd);
                    return new Mutation("'" + rep + "' over " + pos + ".." + end, b.array());
                });
    }
}
