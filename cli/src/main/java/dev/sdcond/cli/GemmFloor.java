package dev.sdcond.cli;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.sdcond.models.Precision;
import java.util.function.Supplier;

/**
 * The GEMM floor of {@code bench}: libtorch's time for the forward pass's matrix products alone, and their FLOPs, so
 * that a forward pass is measured against what the machine's GEMMs reach.
 */
final class GemmFloor {
    private GemmFloor() {}

    /**
     * The matrix products of one forward pass.
     *
     * @param patch vision: patch size (adds the patch embedding); 0 for text
     */
    record Shapes(int batch, int tokens, int width, int mlp, int heads, int layers, int patch) {
        double flops() {
            double bt = (double) batch * tokens;
            double perLayer = 2 * bt * width * 3.0 * width // qkv
                    + 2 * 2 * bt * tokens * width // scores and attention * v
                    + 2 * bt * width * width // out proj
                    + 2 * 2 * bt * width * mlp; // fc1, fc2
            double patchEmbed = patch == 0 ? 0 : 2.0 * batch * (tokens - 1) * 3 * patch * patch * width;
            return layers * perLayer + patchEmbed;
        }
    }

    /**
     * The forward pass's matrix products alone, on random inputs of the same shapes (allocated once in {@code m}).
     * Like the model's layers, the products cycle through distinct weight matrices (enough sets to exceed any CPU
     * cache), so that the floor streams weights from memory as the real forward pass does.
     */
    static Supplier<Integer> gemmProducts(NDManager m, Shapes s, Precision precision) {
        long bt = (long) s.batch() * s.tokens();
        long d = s.width() / s.heads();
        long bh = (long) s.batch() * s.heads();
        long layerBytes = 4L * (4L * s.width() * s.width() + 2L * s.width() * s.mlp());
        int sets = (int) Math.max(1, Math.min(s.layers(), (512L << 20) / layerBytes + 1));
        NDArray x = random(m, new Shape(bt, s.width()), precision);
        NDArray h = random(m, new Shape(bt, s.mlp()), precision);
        NDArray q = random(m, new Shape(bh, s.tokens(), d), precision);
        NDArray kt = random(m, new Shape(bh, d, s.tokens()), precision);
        NDArray p = random(m, new Shape(bh, s.tokens(), s.tokens()), precision);
        NDArray[][] w = new NDArray[sets][];
        for (int i = 0; i < sets; i++) {
            w[i] = new NDArray[] {random(m, new Shape(3L * s.width(), s.width()), precision),
                random(m, new Shape(s.width(), s.width()), precision),
                random(m, new Shape(s.mlp(), s.width()), precision),
                random(m, new Shape(s.width(), s.mlp()), precision)};
        }
        return () -> {
            try (NDManager scratch = m.newSubManager()) {
                NDArray last = null;
                for (int l = 0; l < s.layers(); l++) {
                    NDArray[] lw = w[l % sets];
                    for (NDArray o : new NDArray[] {ai.djl.nn.core.Linear.linear(x, lw[0]).singletonOrThrow(),
                            q.matMul(kt), p.matMul(q), ai.djl.nn.core.Linear.linear(x, lw[1]).singletonOrThrow(),
                            ai.djl.nn.core.Linear.linear(x, lw[2]).singletonOrThrow()}) {
                        o.close();
                    }
                    last = ai.djl.nn.core.Linear.linear(h, lw[3]).singletonOrThrow();
                    last.attach(scratch);
                }
                return last.get(0).toType(DataType.FLOAT32, false).toFloatArray().length; // wait for the device
            }
        };
    }

    private static NDArray random(NDManager m, Shape shape, Precision precision) {
        try (NDArray a = m.randomNormal(shape)) {
            return dev.sdcond.models.kernels.TorchScriptKernels.toProductType(precision, a);
        }
    }
}
