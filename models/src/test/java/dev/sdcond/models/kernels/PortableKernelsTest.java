package dev.sdcond.models.kernels;

import dev.sdcond.models.AttentionKernel;
import dev.sdcond.models.LinearKernel;
import dev.sdcond.models.Towers;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.engine.PtNDManager;
import ai.djl.pytorch.engine.PtSymbolBlock;
import ai.djl.pytorch.jni.IValue;
import ai.djl.pytorch.jni.IValueUtils;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Random;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * kernels-portable.pt, the fallback for a libtorch without oneDNN or MKL: it names none of their ops (an archive
 * naming an op its libtorch lacks does not load at all), and its CLIP layer computes exactly what kernels.pt's does;
 * and kernels.pt's MKL-packed layer, which must never see a row count it was not packed for.
 */
class PortableKernelsTest {
    @TempDir
    Path tmp;

    @Test
    void portableArchiveNamesNoOneDnnOp() throws IOException {
        assertFalse(mentions("kernels-portable.pt", "mkldnn"));
        assertFalse(mentions("kernels-portable.pt", "ops.mkl."));
        assertTrue(mentions("kernels.pt", "mkldnn"), "the scan must see the ops the full archive names");
        assertTrue(mentions("kernels.pt", "ops.mkl."));
    }

    @Test
    void portableLayerEqualsTheFullOne() {
        PtSymbolBlock full = TorchScriptKernels.load("kernels.pt");
        PtSymbolBlock portable = TorchScriptKernels.load("kernels-portable.pt");
        assertNotNull(full);
        assertNotNull(portable);
        int w = 16;
        int heads = 2;
        int tokens = 5;
        Random rnd = new Random(7);
        try (PtNDManager m = (PtNDManager) NDManager.newBaseManager(Device.cpu(), Towers.ENGINE)) {
            PtNDArray[] p = layer(m, rnd, w);
            PtNDArray x = (PtNDArray) random(m, rnd, new Shape(2L * tokens, w));
            for (String act : new String[] {"swish", "gelu"}) {
                for (boolean fused : new boolean[] {true, false}) {
                    float[] a = clipLayer(full, m, x, p, tokens, heads, true, act, 0, tokens, fused);
                    float[] b = clipLayer(portable, m, x, p, tokens, heads, true, act, 0, tokens, fused);
                    assertArrayEquals(a, b, 0f, act + (fused ? " fused" : " explicit"));
                }
                float[] a = clipLayerRows(full, m, x, p, tokens, heads, act);
                assertArrayEquals(a, clipLayerRows(portable, m, x, p, tokens, heads, act), 0f, act + " rows");
            }
            for (long packing : new long[] {1, 2}) { // oneDNN, MKL: the portable kernels have neither
                assertThrows(RuntimeException.class,
                        () -> clipLayer(portable, m, x, p, tokens, heads, true, "gelu", packing, tokens, true));
            }
        }
    }

    /** MKL-packed weights fit products of the rows they were packed for only: any other count is refused. */
    @Test
    void mklPackedLayerRefusesOtherRowCounts() {
        PtSymbolBlock full = TorchScriptKernels.load("kernels.pt");
        assertNotNull(full);
        int w = 16;
        int tokens = 5;
        Random rnd = new Random(3);
        try (PtNDManager m = (PtNDManager) NDManager.newBaseManager(Device.cpu(), Towers.ENGINE)) {
            PtNDArray[] plain = layer(m, rnd, w);
            PtNDArray[] packed = plain.clone();
            for (int i : new int[] {2, 4, 8, 10}) { // the four weights
                packed[i] = (PtNDArray) TorchScriptKernels.packMkl(plain[i], tokens);
            }
            PtNDArray x = (PtNDArray) random(m, rnd, new Shape(3L * tokens, w));
            float[] expected = clipLayer(full, m, x, plain, tokens, 2, false, "gelu", 0, tokens, true);
            assertArrayEquals(expected, clipLayer(full, m, x, packed, tokens, 2, false, "gelu", 2, tokens, true), 1e-5f,
                    "three sequences, packed");
            assertThrows(RuntimeException.class,
                    () -> clipLayer(full, m, x, packed, tokens, 2, false, "gelu", 2, tokens + 1, true));
            PtNDArray odd = (PtNDArray) random(m, rnd, new Shape(2L * tokens + 1, w));
            assertThrows(RuntimeException.class,
                    () -> clipLayer(full, m, odd, packed, tokens, 2, false, "gelu", 2, tokens, true));
            try (NDArray at = m.create(new long[] {0, tokens + 1})) { // some rows only: whole sequences for MKL
                LinearKernel[] mkl = {LinearKernel.MKL, LinearKernel.MKL, LinearKernel.MKL, LinearKernel.MKL};
                ClipLayerKernel layer = ClipLayerKernel.prepare(packed, 2, 1e-5f, "gelu", mkl, tokens, AttentionKernel.FUSED);
                assertThrows(RuntimeException.class, () -> layer.forwardRows(x, tokens, false, at));
            }
            // one kernel per weight: qkv plain, out_proj oneDNN, fc1 MKL, fc2 oneDNN in one layer
            PtNDArray[] mixed = plain.clone();
            mixed[4] = (PtNDArray) TorchScriptKernels.packLinear(plain[4]);
            mixed[8] = packed[8];
            mixed[10] = (PtNDArray) TorchScriptKernels.packLinear(plain[10]);
            LinearKernel[] kernels = {LinearKernel.PLAIN, LinearKernel.PACKED, LinearKernel.MKL, LinearKernel.PACKED};
            try (NDArray y = ClipLayerKernel.prepare(mixed, 2, 1e-5f, "gelu", kernels, tokens, AttentionKernel.FUSED)
                    .forward(x, tokens, false)) {
                assertArrayEquals(expected, y.toFloatArray(), 1e-5f, "a kernel per weight");
            }
        }
    }

    /**
     * The residual stream is added exactly once to every row, whether clip_layer adds it in blocks of rows (small
     * streams on the CPU) or in one op: with zero weights a layer's output is x + out_proj's bias + fc2's bias,
     * computed here by hand in float32 in the same order.
     */
    @Test
    void residualSumsReachEveryRowOnce() {
        PtSymbolBlock full = TorchScriptKernels.load("kernels.pt");
        assertNotNull(full);
        int w = 768;
        int tokens = 77;
        Random rnd = new Random(11);
        try (PtNDManager m = (PtNDManager) NDManager.newBaseManager(Device.cpu(), Towers.ENGINE)) {
            PtNDArray[] p = layer(m, rnd, w);
            for (int i : new int[] {2, 4, 8, 10}) {
                p[i] = (PtNDArray) m.zeros(p[i].getShape());
            }
            float[] outBias = p[5].toFloatArray();
            float[] fc2Bias = p[11].toFloatArray();
            for (int sequences : new int[] {1, 2, 3}) { // 2: 118272 elements, four blocks; 3: one op
                PtNDArray x = (PtNDArray) random(m, rnd, new Shape((long) sequences * tokens, w));
                float[] in = x.toFloatArray();
                float[] expected = new float[in.length];
                for (int i = 0; i < in.length; i++) {
                    expected[i] = (in[i] + outBias[i % w]) + fc2Bias[i % w];
                }
                assertArrayEquals(expected, clipLayer(full, m, x, p, tokens, 12, true, "swish", 0, tokens, true), 0f,
                        sequences + " sequences");
            }
        }
    }

    /** A random layer of width w: clip_layer's twelve parameters. */
    private static PtNDArray[] layer(NDManager m, Random rnd, int w) {
        long[][] shapes = {{w}, {w}, {3 * w, w}, {3 * w}, {w, w}, {w}, {w}, {w}, {4 * w, w}, {4 * w}, {w, 4 * w}, {w}};
        PtNDArray[] p = new PtNDArray[shapes.length];
        for (int i = 0; i < shapes.length; i++) {
            p[i] = (PtNDArray) random(m, rnd, new Shape(shapes[i]));
        }
        return p;
    }

    private static NDArray random(NDManager m, Random rnd, Shape shape) {
        float[] v = new float[(int) shape.size()];
        for (int i = 0; i < v.length; i++) {
            v[i] = (float) rnd.nextGaussian() * 0.3f;
        }
        return m.create(v, shape);
    }

    /** Runs a module's clip_layer (eps 1e-5) and returns its output. */
    private static float[] clipLayer(PtSymbolBlock module, PtNDManager m, PtNDArray x, PtNDArray[] p, int tokens,
            int heads, boolean causal, String act, long packing, int rows, boolean fused) {
        IValue[] in = {IValue.from(x), IValue.listFrom(p), IValue.from(tokens), IValue.from(heads),
            IValue.from(causal), IValue.from(1e-5), IValue.from(act), IValue.listFrom(packing, packing, packing, packing),
            IValue.from(rows), IValue.from(fused)};
        try (IValue out = IValueUtils.runMethod(module, "clip_layer", in)) {
            return out.toTensor(m).toFloatArray();
        } finally {
            for (IValue v : in) {
                v.close();
            }
        }
    }

    /** Runs a module's clip_layer_rows (causal, eps 1e-5, plain weights) at rows 1 and tokens + 3. */
    private static float[] clipLayerRows(PtSymbolBlock module, PtNDManager m, PtNDArray x, PtNDArray[] p, int tokens,
            int heads, String act) {
        try (PtNDArray at = (PtNDArray) m.create(new long[] {1, tokens + 3})) {
            IValue[] in = {IValue.from(x), IValue.listFrom(p), IValue.from(tokens), IValue.from(heads),
                IValue.from(true), IValue.from(1e-5), IValue.from(act), IValue.listFrom(0L, 0L, 0L, 0L),
                IValue.from(tokens), IValue.from(at)};
            try (IValue out = IValueUtils.runMethod(module, "clip_layer_rows", in)) {
                return out.toTensor(m).toFloatArray();
            } finally {
                for (IValue v : in) {
                    v.close();
                }
            }
        }
    }

    /** Whether any entry of an archive (a zip) contains {@code text}. */
    private boolean mentions(String resource, String text) throws IOException {
        Path copy = tmp.resolve(resource);
        try (InputStream is = TorchScriptKernels.class.getResourceAsStream("/dev/sdcond/models/" + resource)) {
            Files.copy(is, copy, StandardCopyOption.REPLACE_EXISTING);
        }
        try (ZipFile zip = new ZipFile(copy.toFile())) {
            for (ZipEntry e : java.util.Collections.list(zip.entries())) {
                try (InputStream in = zip.getInputStream(e)) {
                    if (new String(in.readAllBytes(), StandardCharsets.ISO_8859_1).contains(text)) {
                        return true;
                    }
                }
            }
        }
        return false;
    }
}
