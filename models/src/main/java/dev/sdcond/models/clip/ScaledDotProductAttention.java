package dev.sdcond.models.clip;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.engine.PtNDManager;
import ai.djl.pytorch.engine.PtSymbolBlock;
import ai.djl.pytorch.jni.IValue;
import ai.djl.pytorch.jni.JniUtils;
import dev.sdcond.models.Towers;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;

/**
 * Multi-head {@code softmax(q k^T [+ causal mask]) v}, with the scale already folded into {@code q}.
 *
 * <p>By default this runs libtorch's fused {@code scaled_dot_product_attention} (flash or memory-efficient kernels on
 * CUDA, the flash kernel on CPU), which never writes the [B, H, T, T] score tensor. DJL 0.36 has no binding for it,
 * so it is called through a two-line TorchScript module, the resource {@code attend.pt} (made by
 * {@code src/main/torchscript/attend.py}). The explicit product, softmax, product is the fallback when that module
 * cannot be loaded, and can be chosen with the system property {@code sdcond.attention=explicit}.
 */
final class ScaledDotProductAttention {
    /** The property that selects the kernel: {@code fused} (default) or {@code explicit}. */
    static final String PROPERTY = "sdcond.attention";

    private static final PtSymbolBlock FUSED = loadFused();

    private ScaledDotProductAttention() {}

    /** Whether {@link #attend} uses the fused kernel. */
    static boolean fused() {
        return FUSED != null && !"explicit".equals(System.getProperty(PROPERTY));
    }

    /**
     * Multi-head attention over the fused projection.
     *
     * @param qkv [B*T, 3W]: the query (already scaled by {@code D^-0.5}), key and value projections side by side
     * @param tokens T
     * @param heads H (D = W / H)
     * @param causalMask the additive [T, T] causal mask (0 on and below the diagonal, -inf above), or null for full
     *     attention; the fused kernel masks by itself and only looks at whether it is null
     * @return [B*T, W], in the manager of {@code qkv}
     */
    static NDArray attend(NDArray qkv, int tokens, int heads, NDArray causalMask) {
        if (!fused()) {
            return explicit(qkv, tokens, heads, causalMask);
        }
        IValue[] in = {IValue.from((PtNDArray) qkv), IValue.from(tokens), IValue.from(heads),
            IValue.from(causalMask != null)};
        // TorchScript's profiling executor would re-specialize the one-op graph for every new input shape (and give
        // up optimizing after a number of them); the plain interpreter is what a single op needs. The setting is
        // per thread: set around the call, then back to libtorch's default.
        JniUtils.setGraphExecutorOptimize(false);
        try (IValue out = FUSED.forward(in)) {
            return out.toTensor((PtNDManager) qkv.getManager());
        } finally {
            JniUtils.setGraphExecutorOptimize(true);
            for (IValue i : in) {
                i.close();
            }
        }
    }

    private static NDArray explicit(NDArray qkv, int tokens, int heads, NDArray causalMask) {
        Shape s = qkv.getShape();
        long n = s.get(0);
        long w = s.get(1) / 3;
        NDArray qkvh = qkv.reshape(n / tokens, tokens, 3, heads, w / heads).transpose(2, 0, 3, 1, 4); // [3,B,H,T,D]
        NDArray scores = qkvh.get(0).matMul(qkvh.get(1).transpose(0, 1, 3, 2)); // [B, H, T, T]
        if (causalMask != null) {
            scores = scores.add(causalMask);
        }
        NDArray o = scores.softmax(-1).matMul(qkvh.get(2)); // [B, H, T, D]
        return o.transpose(0, 2, 1, 3).reshape(n, w);
    }

    private static PtSymbolBlock loadFused() {
        if ("explicit".equals(System.getProperty(PROPERTY))) {
            return null;
        }
        // A module without parameters: it lives as long as the process, in a manager of its own, and serves every
        // device and thread (TorchScript's forward is safe to call concurrently).
        NDManager home = NDManager.newBaseManager(Device.cpu(), Towers.ENGINE);
        try (InputStream is = ScaledDotProductAttention.class.getResourceAsStream("attend.pt")) {
            if (is == null) {
                throw new IOException("resource attend.pt is missing");
            }
            return JniUtils.loadModule((PtNDManager) home, is, true, false);
        } catch (IOException e) {
            home.close();
            throw new UncheckedIOException("cannot load the fused attention kernel (attend.pt)", e);
        } catch (RuntimeException e) {
            // a libtorch without TorchScript or without the op: fall back to the explicit kernel
            home.close();
            return null;
        }
    }
}
