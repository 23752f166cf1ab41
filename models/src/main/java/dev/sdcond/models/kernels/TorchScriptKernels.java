package dev.sdcond.models.kernels;

import dev.sdcond.models.AttentionKernel;
import dev.sdcond.models.LinearKernel;
import dev.sdcond.models.Towers;
import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.engine.PtNDManager;
import ai.djl.pytorch.engine.PtSymbolBlock;
import ai.djl.pytorch.jni.IValue;
import ai.djl.pytorch.jni.IValueUtils;
import ai.djl.pytorch.jni.JniUtils;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The libtorch operations DJL 0.36 does not bind, called through a small TorchScript module, the resource
 * {@code kernels.pt} (made by {@code src/main/torchscript/kernels.py}): the CLIP encoder layer, whole
 * ({@link ClipLayerKernel}), oneDNN's and MKL's packed linear, T5's
 * mixed-dtype products and the conversion to bfloat16 (DJL's JNI cannot name that dtype, though libtorch computes with such
 * tensors once they exist; DJL reports their dtype as {@code UNKNOWN}).
 *
 * <p>The module has no parameters: it is loaded once, lives as long as the process and serves every device and
 * thread (TorchScript's forward is safe to call concurrently).
 */
public final class TorchScriptKernels {
    private static final PtSymbolBlock MODULE = KernelArchive.MODULE;
    // Immutable scalar arguments, made once: each IValue is a native object, and creating and freeing them per call
    // doubled the JNI calls of an attention call. runMethod copies its arguments, so sharing them is safe.
    private static final Map<Long, IValue> INTS = new ConcurrentHashMap<>();
    static final IValue TRUE = IValue.from(true);
    static final IValue FALSE = IValue.from(false);
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
     * The SHA-256 of the kernel archive this process loaded (its first 16 hex digits), so that what depends on the
     * kernels' code (timings kept across runs) can tell when it changed.
     *
     * @return the hash, or {@code none} when no archive loaded
     */
    public static String moduleHash() {
        return KernelArchive.HASH;
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
     * {@code a} in the dtype of the layers' matrix products under a compute dtype: a new array in the manager of
     * {@code a} (bfloat16 through the kernels, which DJL 0.36 cannot name).
     *
     * @param precision the compute dtype
     * @param a a weight
     * @return it in the products' dtype
     */
    public static NDArray toProductType(dev.sdcond.models.Precision precision, NDArray a) {
        return precision == dev.sdcond.models.Precision.BFLOAT16 ? toBFloat16(a)
                : a.toType(precision.loadType(), true);
    }

    /**
     * A bfloat16 copy of {@code a}, in the manager of {@code a}.
     *
     * @param a the array
     * @return it in bfloat16
     */
    public static NDArray toBFloat16(NDArray a) {
        return unary("bfloat16", a);
    }

    /**
     * A float32 [out, in] weight reordered once into oneDNN's blocked layout, for {@link #linearPacked}.
     *
     * @param weight the weight, on the CPU
     * @return the packed weight (an opaque mkldnn tensor: only {@link #linearPacked} takes it), in its manager
     */
    public static NDArray packLinear(NDArray weight) {
        return unary("pack_linear", weight);
    }

    /**
     * A float32 [out, in] weight packed once for MKL's GEMM of {@code rows} x in ({@code cblas_sgemm_pack}).
     *
     * @param weight the weight, on the CPU
     * @param rows the row count of the products it will take part in
     * @return the packed weight (opaque: only the encoder layer takes it), in its manager
     */
    public static NDArray packMkl(NDArray weight, int rows) {
        try (IValue w = IValue.from((PtNDArray) weight); IValue n = IValue.from((long) rows)) {
            return run("pack_mkl", (PtNDManager) weight.getManager(), w, n);
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
     * {@code x W^T + b} and an optional activation, by the very code a CLIP layer runs for one of its projections
     * ({@code linear} in {@code kernels.py}): the product the load-time checks compare across kernels.
     *
     * @param x [N, in], in the tower's dtype
     * @param weight [out, in] as kept for {@code kernel}: as stored (any dtype: the product runs in the weight's), or
     *     packed by {@link #packLinear} / {@link #packMkl}
     * @param bias [out]
     * @param kernel {@code PLAIN}, {@code PACKED} or {@code MKL} (resolved)
     * @param rows the row count MKL-packed weights were packed for (N must be a multiple of it); else unused
     * @param post {@code none}, {@code gelu} or {@code swish}
     * @return [N, out] in the weight's dtype, in the manager of {@code x}
     */
    public static NDArray linear(NDArray x, NDArray weight, NDArray bias, LinearKernel kernel, int rows, String post) {
        try (IValue a = IValue.from((PtNDArray) x); IValue w = IValue.from((PtNDArray) weight);
                IValue b = IValue.from((PtNDArray) bias)) {
            return run("linear", (PtNDManager) x.getManager(), a, w, b, constant(kernel.code()), constant(rows),
                    STRINGS.computeIfAbsent(post, IValue::from));
        }
    }

    /**
     * A CLIP layer's attention over its fused projection, as the layer runs it.
     *
     * @param qkv [B*T, 3W]: the query rows already scaled
     * @param tokens T
     * @param heads the attention heads
     * @param causal whether position i attends only to positions up to i
     * @param kernel {@code FUSED} (libtorch's scaled_dot_product_attention) or {@code EXPLICIT}
     * @return [B*T, W] in the dtype of {@code qkv}, in its manager
     */
    public static NDArray attention(NDArray qkv, int tokens, int heads, boolean causal, AttentionKernel kernel) {
        try (IValue a = IValue.from((PtNDArray) qkv)) {
            return run("attention", (PtNDManager) qkv.getManager(), a, constant(tokens), constant(heads),
                    causal ? TRUE : FALSE, kernel == AttentionKernel.FUSED ? TRUE : FALSE);
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

    private static NDArray unary(String method, NDArray a) {
        try (IValue x = IValue.from((PtNDArray) a)) {
            return run(method, (PtNDManager) a.getManager(), x);
        }
    }

    private static NDArray binary(String method, NDArray a, NDArray b) {
        try (IValue x = IValue.from((PtNDArray) a); IValue y = IValue.from((PtNDArray) b)) {
            return run(method, (PtNDManager) a.getManager(), x, y);
        }
    }

    static IValue constant(long value) {
        return INTS.computeIfAbsent(value, IValue::from);
    }

    /** Runs a method of the module; the arguments stay the caller's to close. */
    static NDArray run(String method, PtNDManager manager, IValue... in) {
        requireModule();
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

    static void requireModule() {
        if (MODULE == null) {
            throw new IllegalStateException("sdcond's TorchScript kernels (kernels.pt) could not be loaded into this"
                    + " libtorch: CLIP towers run their layers through them (sdcond doctor shows the engine)");
        }
    }

    /**
     * Loads one of the kernel archives.
     *
     * @param resource {@code kernels.pt} or {@code kernels-portable.pt}
     * @return the module, or null when it cannot be loaded into this libtorch
     */
    static PtSymbolBlock load(String resource) {
        return KernelArchive.load(resource);
    }
}
