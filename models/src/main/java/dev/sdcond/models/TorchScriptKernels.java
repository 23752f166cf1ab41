package dev.sdcond.models;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.engine.PtNDManager;
import ai.djl.pytorch.engine.PtSymbolBlock;
import ai.djl.pytorch.jni.IValue;
import ai.djl.pytorch.jni.IValueUtils;
import ai.djl.pytorch.jni.JniUtils;
import java.io.IOException;
import java.io.InputStream;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The libtorch operations DJL 0.36 does not bind, called through a small TorchScript module, the resource
 * {@code kernels.pt} (made by {@code src/main/torchscript/kernels.py}): fused multi-head attention
 * ({@code scaled_dot_product_attention}), the conversion to bfloat16 and a layer norm with a bfloat16 result (DJL's
 * JNI cannot name that dtype, though libtorch computes with such tensors once they exist; DJL reports their dtype as
 * {@code UNKNOWN}).
 *
 * <p>The module has no parameters: it is loaded once, lives as long as the process and serves every device and
 * thread (TorchScript's forward is safe to call concurrently).
 */
public final class TorchScriptKernels {
    private static final PtSymbolBlock MODULE = load();
    // Immutable scalar arguments, made once: each IValue is a native object, and creating and freeing them per call
    // doubled the JNI calls of an attention call. runMethod copies its arguments, so sharing them is safe.
    private static final Map<Long, IValue> INTS = new ConcurrentHashMap<>();
    private static final IValue TRUE = IValue.from(true);
    private static final IValue FALSE = IValue.from(false);
    private static final Map<String, IValue> STRINGS = new ConcurrentHashMap<>();

    private static volatile Boolean packedLinear;

    private TorchScriptKernels() {}

    /**
     * Whether this libtorch runs oneDNN's packed linear ({@link #packLinear}, {@link #linearPacked}): checked once,
     * on a tiny product.
     *
     * @return whether it does
     */
    public static boolean packedLinearAvailable() {
        Boolean b = packedLinear;
        if (b == null) {
            b = false;
            if (MODULE != null) {
                try (NDManager m = NDManager.newBaseManager(Device.cpu(), Towers.ENGINE)) {
                    NDArray w = packLinear(m.create(new float[] {2f, 3f}, new ai.djl.ndarray.types.Shape(1, 2)));
                    float[] y = linearPacked(m.create(new float[] {1f, 1f}, new ai.djl.ndarray.types.Shape(1, 2)), w,
                            m.create(new float[] {1f}), "none").toFloatArray();
                    b = y.length == 1 && y[0] == 6f;
                } catch (RuntimeException e) {
                    b = false;
                }
            }
            packedLinear = b;
        }
        return b;
    }

    /**
     * Whether the module could be loaded (a libtorch without TorchScript could not).
     *
     * @return whether the kernels loaded
     */
    public static boolean available() {
        return MODULE != null;
    }

    /**
     * Multi-head attention over the fused projection, without materializing the [B, H, T, T] scores.
     *
     * @param qkv [B*T, 3W]: the query (already scaled by {@code D^-0.5}), key and value projections side by side
     * @param tokens T
     * @param heads H
     * @param causal whether position i attends only to positions up to i
     * @return [B*T, W], in the manager of {@code qkv}
     */
    public static NDArray attend(NDArray qkv, int tokens, int heads, boolean causal) {
        try (IValue x = IValue.from((PtNDArray) qkv)) {
            return run("forward", (PtNDManager) qkv.getManager(), x, constant(tokens), constant(heads),
                    causal ? TRUE : FALSE);
        }
    }

    /**
     * Layer norm over the last axis in float32, the result in bfloat16, in the manager of {@code x}.
     *
     * @param x the input
     * @param weight the norm's weight
     * @param bias the norm's bias
     * @param eps the epsilon
     * @return the normalised input in bfloat16
     */
    public static NDArray layerNormToBFloat16(NDArray x, NDArray weight, NDArray bias, float eps) {
        try (IValue a = IValue.from((PtNDArray) x); IValue w = IValue.from((PtNDArray) weight);
                IValue b = IValue.from((PtNDArray) bias); IValue e = IValue.from((double) eps)) {
            return run("layer_norm_bfloat16", (PtNDManager) x.getManager(), a, w, b, e);
        }
    }

    /**
     * A bfloat16 copy of {@code a}, in the manager of {@code a}.
     *
     * @param a the array
     * @return it in bfloat16
     */
    public static NDArray toBFloat16(NDArray a) {
        try (IValue x = IValue.from((PtNDArray) a)) {
            return run("bfloat16", (PtNDManager) a.getManager(), x);
        }
    }

    /**
     * A float32 [out, in] weight reordered once into oneDNN's blocked layout, for {@link #linearPacked}.
     *
     * @param weight the weight, on the CPU
     * @return the packed weight (an opaque mkldnn tensor: only {@link #linearPacked} takes it), in its manager
     */
    public static NDArray packLinear(NDArray weight) {
        try (IValue w = IValue.from((PtNDArray) weight)) {
            return run("pack_linear", (PtNDManager) weight.getManager(), w);
        }
    }

    /**
     * oneDNN's {@code x W^T + b} on a packed weight, with an optional fused activation.
     *
     * @param x [N, in] float32
     * @param packed the weight from {@link #packLinear}
     * @param bias [out]
     * @param post {@code none}, {@code gelu} (erf) or {@code swish} ({@code z * sigmoid(z)})
     * @return [N, out], in the manager of {@code x}
     */
    public static NDArray linearPacked(NDArray x, NDArray packed, NDArray bias, String post) {
        try (IValue a = IValue.from((PtNDArray) x); IValue w = IValue.from((PtNDArray) packed);
                IValue b = IValue.from((PtNDArray) bias)) {
            return run("linear_packed", (PtNDManager) x.getManager(), a, w, b, STRINGS.computeIfAbsent(post,
                    IValue::from));
        }
    }

    /**
     * oneDNN's {@code x W^T + b + residual} on a packed weight, in one pass.
     *
     * @param x [N, in] float32
     * @param packed the weight from {@link #packLinear}
     * @param bias [out]
     * @param residual [N, out]
     * @return [N, out], in the manager of {@code x}
     */
    public static NDArray linearPackedAdd(NDArray x, NDArray packed, NDArray bias, NDArray residual) {
        try (IValue a = IValue.from((PtNDArray) x); IValue w = IValue.from((PtNDArray) packed);
                IValue b = IValue.from((PtNDArray) bias); IValue r = IValue.from((PtNDArray) residual)) {
            return run("linear_packed_add", (PtNDManager) x.getManager(), a, w, b, r);
        }
    }

    /**
     * {@code x W^T} in the dtype of {@code x}, with a weight kept in 16 bits widened for this product only.
     *
     * @param x [N, in]
     * @param weight [out, in], float32, float16 or bfloat16
     * @return [N, out] in the dtype of {@code x}, in its manager
     */
    public static NDArray linearUpcast(NDArray x, NDArray weight) {
        return binary("linear_upcast", x, weight);
    }

    /**
     * {@code x W^T} computed in the weight's dtype (bfloat16 or float16 products), the result back in the dtype of
     * {@code x}; a float16 result is clamped to float16's finite range first.
     *
     * @param x [N, in]
     * @param weight [out, in]
     * @return [N, out] in the dtype of {@code x}, in its manager
     */
    public static NDArray linearIn(NDArray x, NDArray weight) {
        return binary("linear_in", x, weight);
    }

    /**
     * The rows of a (possibly 16-bit) embedding table, in float32.
     *
     * @param ids token ids (int64)
     * @param table [V, d]
     * @return [ids..., d] float32, in the manager of {@code ids}
     */
    public static NDArray embeddingFloat(NDArray ids, NDArray table) {
        return binary("embedding_float", ids, table);
    }

    private static NDArray binary(String method, NDArray a, NDArray b) {
        try (IValue x = IValue.from((PtNDArray) a); IValue y = IValue.from((PtNDArray) b)) {
            return run(method, (PtNDManager) a.getManager(), x, y);
        }
    }

    private static IValue constant(long value) {
        return INTS.computeIfAbsent(value, IValue::from);
    }

    /** Runs a method of the module; the arguments stay the caller's to close. */
    private static NDArray run(String method, PtNDManager manager, IValue... in) {
        if (MODULE == null) {
            throw new IllegalStateException("sdcond's TorchScript kernels (kernels.pt) could not be loaded");
        }
        // TorchScript's profiling executor would re-specialize these one-op graphs for every new input shape (and
        // give up optimizing after a number of them); the plain interpreter is what a single op needs. The setting
        // is per thread: set around the call, then back to libtorch's default.
        JniUtils.setGraphExecutorOptimize(false);
        try (IValue out = IValueUtils.runMethod(MODULE, method, in)) {
            return out.toTensor(manager);
        } finally {
            JniUtils.setGraphExecutorOptimize(true);
        }
    }

    private static PtSymbolBlock load() {
        NDManager home = NDManager.newBaseManager(Device.cpu(), Towers.ENGINE);
        try (InputStream is = TorchScriptKernels.class.getResourceAsStream("kernels.pt")) {
            if (is == null) {
                throw new IOException("resource kernels.pt is missing");
            }
            return JniUtils.loadModule((PtNDManager) home, is, true, false);
        } catch (IOException | RuntimeException e) {
            home.close();
            return null;
        }
    }
}
