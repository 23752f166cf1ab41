package dev.sdcond.ipadapter.image;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sdcond.models.Goldens;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/** Damaged images either decode to a whole image or end in {@link ImageLoadException}; nothing else. */
class ImageFuzzTest {
    record Damaged(String what, byte[] bytes) {
        @Override
        public String toString() {
            return what;
        }
    }

    private static byte[] read(String name) {
        try {
            return Files.readAllBytes(Goldens.path("images/" + name));
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    @Property(tries = 150)
    void damagedFiles(@ForAll("damaged") Damaged d) {
        Path name = Path.of(d.what());
        try {
            RgbImage img = ImageLoader.DEFAULT.decode(name, d.bytes());
            assertTrue(img.width() > 0 && img.height() > 0);
        } catch (ImageLoadException e) {
            assertTrue(e.getMessage().startsWith(name.toString()), e.getMessage());
        }
    }

    @Provide
    Arbitrary<Damaged> damaged() {
        Arbitrary<String> files = Arbitraries.of("gray_small.png", "chelsea_q90.jpg", "rgba_checker.png");
        return Combinators.combine(files, Arbitraries.integers().between(0, 2), Arbitraries.doubles().between(0, 1),
                Arbitraries.integers().between(1, 255)).as((f, kind, where, xor) -> {
                    byte[] b = read(f);
                    int pos = (int) (where * (b.length - 1));
                    return switch (kind) {
                        case 0 -> new Damaged(f + " cut at " + pos, Arrays.copyOf(b, pos));
                        case 1 -> {
                            b[pos] ^= xor;
                            yield new Damaged(f + " xor " + xor + " at " + pos, b);
                        }
                        default -> {
                            int p = Math.min(pos, 40);
                            b[p] ^= xor; // the headers
                            yield new Damaged(f + " header xor " + xor + " at " + p, b);
                        }
                    };
                });
    }
}
