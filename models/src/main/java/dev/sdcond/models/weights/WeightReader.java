package dev.sdcond.models.weights;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import dev.sdcond.models.ModelMismatchException;
import dev.sdcond.models.Precision;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * Takes a tower's parameters one by one, checking each shape before reading it. Problems are collected, not thrown,
 * so that {@link #finish} reports every missing or mismatched key at once (the first {@value #SHOWN} of them, and
 * how many more).
 *
 * <p>A tower is loaded in two passes of its own load code: {@link #check} first runs it against the checkpoint's
 * header alone, reading no tensor and standing in one-element arrays for the parameters, so a checkpoint that does
 * not fit its config fails in milliseconds whatever sizes the config claims; only when every name and shape matches
 * does the second pass read and allocate.
 */
public final class WeightReader {
    /** How many problems a message lists. */
    static final int SHOWN = 20;
    private static final java.util.concurrent.atomic.AtomicLong LOADED = new java.util.concurrent.atomic.AtomicLong();

    private final ParameterSource source;
    private final NDManager manager;
    private final Precision precision;
    private final dev.sdcond.models.kernels.KernelPlan kernels;
    private final boolean headerOnly;
    private final List<String> problems;

    /**
     * A reader that loads a tower's parameters for a compute choice.
     *
     * @param source the parameters
     * @param manager where the arrays are made (the tower's manager, on its device)
     * @param compute the dtype and the kernels the tower's modules take
     */
    public WeightReader(ParameterSource source, NDManager manager, dev.sdcond.models.Compute compute) {
        this(source, manager, compute, dev.sdcond.models.layout.TowerKind.VISION);
    }

    /**
     * A reader that loads a tower of a kind for a compute choice.
     *
     * @param source the parameters
     * @param manager where the arrays are made (the tower's manager, on its device)
     * @param compute the dtype, the attention kernel and the linear kernel the tower's modules take
     * @param kind the tower's kind (the automatic linear kernel depends on it)
     */
    public WeightReader(ParameterSource source, NDManager manager, dev.sdcond.models.Compute compute,
            dev.sdcond.models.layout.TowerKind kind) {
        this(source, manager, compute.precision(), plan(compute, kind), false, new ArrayList<>());
    }

    /**
     * The kernels a tower loads with, once the compute choice is checked against this process: bfloat16 needs
     * sdcond's TorchScript kernels; on the CPU, the machine's load is read before the tower loads.
     */
    private static dev.sdcond.models.kernels.KernelPlan plan(dev.sdcond.models.Compute compute,
            dev.sdcond.models.layout.TowerKind kind) {
        if (compute.precision() == Precision.BFLOAT16 && !dev.sdcond.models.kernels.TorchScriptKernels.available()) {
            throw new dev.sdcond.models.InvalidInputException("bfloat16 compute needs sdcond's TorchScript kernels"
                    + " (DJL 0.36 cannot create bfloat16 tensors itself), and this libtorch could not load them; use"
                    + " float32 or float16.");
        }
        if (!compute.device().isGpu()) {
            dev.sdcond.models.runtime.CpuThreads.watch(); // the first reading of the machine's load
        }
        return dev.sdcond.models.kernels.KernelPlan.of(compute, kind);
    }

    private WeightReader(ParameterSource source, NDManager manager, Precision precision,
            dev.sdcond.models.kernels.KernelPlan kernels, boolean headerOnly, List<String> problems) {
        this.problems = problems;
        this.kernels = kernels;
        this.source = source;
        this.manager = manager;
        this.precision = precision;
        this.headerOnly = headerOnly;
    }

    /**
     * The kernels of the tower being loaded: each projection's, checked on this machine as it loads
     * ({@link dev.sdcond.models.kernels.KernelPlan}).
     *
     * @return the plan (null in the header pass)
     */
    public dev.sdcond.models.kernels.KernelPlan kernels() {
        return kernels;
    }

    /**
     * This reader for the tower's last layer, which may run for some rows alone and so takes no MKL-packed weights:
     * the same parameters, manager, problems ({@link #finish} on either lists them all) and plan.
     *
     * @return the reader
     */
    public WeightReader lastLayer() {
        return new WeightReader(source, manager, precision, kernels == null ? null : kernels.lastLayer(), headerOnly,
                problems);
    }

    /**
     * Runs a tower's load code against the checkpoint's names and shapes only, and throws the problems it finds.
     *
     * @param what what is being loaded, for the message (see {@link #finish})
     * @param load the tower's load code; the arrays it receives are one-element stand-ins, on the CPU
     * @throws ModelMismatchException listing the problems, if any
     * @param source the parameters
     * @param precision the dtype the tower would load in
     */
    public static void check(ParameterSource source, Precision precision, String what,
            java.util.function.Consumer<WeightReader> load) {
        if (source.generated()) {
            return; // made in whatever shape is asked for
        }
        try (NDManager standIns = NDManager.newBaseManager(ai.djl.Device.cpu(), dev.sdcond.models.Towers.ENGINE)) {
            WeightReader r = new WeightReader(source, standIns, precision, null, true, new ArrayList<>());
            load.accept(r);
            r.finish(what);
        }
    }

    /**
     * How many parameters this process has read or generated into towers (header passes excluded): what a test
     * asserts to show that something failed before any model was loaded.
     *
     * @return the count since the process started
     */
    public static long parametersLoaded() {
        return LOADED.get();
    }

    /**
     * Reads a required parameter of the given shape. In the header pass ({@link #check}) it records a problem or
     * returns a one-element stand-in, so that the load code goes on and collects the rest.
     *
     * @param hfName a parameter's Hugging Face name
     * @param expected its shape
     * @return the array
     */
    public NDArray take(String hfName, long... expected) {
        DataType dtype = precision.loadType();
        if (source.generated() && source.shape(hfName).isEmpty()) {
            LOADED.incrementAndGet();
            return source.load(hfName, expected, manager, dtype);
        }
        Optional<long[]> found = source.shape(hfName);
        if (found.isEmpty()) {
            problems.add("missing " + source.storedName(hfName) + " " + Arrays.toString(expected));
        } else if (!Arrays.equals(found.get(), expected)) {
            problems.add(source.storedName(hfName) + " has shape " + Arrays.toString(found.get()) + ", expected "
                    + Arrays.toString(expected));
        } else if (!headerOnly) {
            LOADED.incrementAndGet();
            return source.load(hfName, manager, dtype);
        }
        if (!headerOnly) {
            throw new IllegalStateException("a tower was loaded without its header check: " + problems.get(0));
        }
        return manager.zeros(new ai.djl.ndarray.types.Shape(1), dtype);
    }

    /**
     * The dtype a parameter is stored in, where the checkpoint says.
     *
     * @param hfName a parameter's Hugging Face name
     * @return its stored dtype, or empty (absent, generated)
     */
    public Optional<dev.sdcond.models.safetensors.DType> storedType(String hfName) {
        return source.storedType(hfName);
    }

    /**
     * Whether this is the header pass of {@link #check}: arrays are one-element stand-ins, to be left as they are.
     *
     * @return whether arrays are stand-ins
     */
    public boolean headerOnly() {
        return headerOnly;
    }

    /**
     * The precision the tower is loaded for.
     *
     * @return the precision
     */
    public Precision precision() {
        return precision;
    }

    /**
     * {@code a} for the layers' matrix products (bfloat16 when the precision says so), closing {@code a}: for the
     * weights and biases of the transformer layers' projections, after any constant is folded into them.
     *
     * @param a a weight
     * @return it in the product dtype
     */
    public NDArray forProducts(NDArray a) {
        if (!precision.bfloat16Products()) {
            return a;
        }
        try (a) {
            return dev.sdcond.models.kernels.TorchScriptKernels.toProductType(precision, a);
        }
    }

    /**
     * The stored shape of a parameter, to size optional parts from the checkpoint itself.
     *
     * @param hfName a parameter's Hugging Face name
     * @return its shape, or empty when absent
     */
    public Optional<long[]> shape(String hfName) {
        return source.shape(hfName);
    }

    /**
     * Throws one {@link ModelMismatchException} listing every problem seen, if any.
     *
     * @param what what was being loaded, e.g. "CLIP text tower (12 layers, width 768)"
     */
    public void finish(String what) {
        if (!problems.isEmpty()) {
            List<String> shown = problems.subList(0, Math.min(SHOWN, problems.size()));
            String more = problems.size() > SHOWN ? "\n  ... and " + (problems.size() - SHOWN) + " more" : "";
            throw new ModelMismatchException(source.describe() + ": cannot load " + what + ": " + problems.size()
                    + " problem(s):\n  " + String.join("\n  ", shown) + more);
        }
    }
}
