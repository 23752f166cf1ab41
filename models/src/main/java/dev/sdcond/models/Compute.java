package dev.sdcond.models;

import ai.djl.Device;
import ai.djl.engine.Engine;
import java.util.Locale;

/**
 * Where and in what dtype a tower runs: the caller's choice, made once at load time.
 *
 * @param device a DJL device: CPU, or a CUDA GPU
 * @param precision the compute dtype
 * @param attention the attention kernel
 * @param linear how the projections run their products
 */
public record Compute(Device device, Precision precision, AttentionKernel attention, LinearKernel linear) {
    /** The default: float32 on the CPU, fused attention. */
    public static final Compute CPU = new Compute(Device.cpu(), Precision.FLOAT32);

    /**
     * A choice with the fused attention kernel.
     *
     * @param device a DJL device: CPU, or a CUDA GPU
     * @param precision the compute dtype
     * @throws InvalidInputException for a GPU that DJL does not see
     */
    public Compute(Device device, Precision precision) {
        this(device, precision, AttentionKernel.FUSED, LinearKernel.AUTO);
    }

    /**
     * A choice with the automatic linear kernel.
     *
     * @param device a DJL device: CPU, or a CUDA GPU
     * @param precision the compute dtype
     * @param attention the attention kernel
     * @throws InvalidInputException for a GPU that DJL does not see
     */
    public Compute(Device device, Precision precision, AttentionKernel attention) {
        this(device, precision, attention, LinearKernel.AUTO);
    }

    /**
     * Checks the choice.
     *
     * @throws InvalidInputException for a GPU that DJL does not see
     * @param device a DJL device
     * @param precision the compute dtype
     * @param attention the attention kernel
     * @param linear how the projections run their products
     */
    public Compute {
        java.util.Objects.requireNonNull(attention, "attention");
        java.util.Objects.requireNonNull(linear, "linear");
        if (device.isGpu() && Engine.getEngine(Towers.ENGINE).getGpuCount() <= device.getDeviceId()) {
            throw new InvalidInputException("GPU " + device.getDeviceId() + " was asked for, but DJL's PyTorch engine sees "
                    + Engine.getEngine(Towers.ENGINE).getGpuCount() + " CUDA GPU(s) (is a CUDA build of libtorch"
                    + " installed, e.g. through PYTORCH_LIBRARY_PATH?)");
        }
    }

    /**
     * The same choice with another attention kernel.
     *
     * @param kernel the kernel
     * @return the choice
     */
    public Compute withAttention(AttentionKernel kernel) {
        return new Compute(device, precision, kernel, linear);
    }

    /**
     * The same choice with another linear kernel.
     *
     * @param kernel the kernel
     * @return the choice
     */
    public Compute withLinear(LinearKernel kernel) {
        return new Compute(device, precision, attention, kernel);
    }

    /**
     * The device as {@link #parseDevice} reads it.
     *
     * @return {@code cpu} or {@code gpu:N}
     */
    public String deviceName() {
        return device.isGpu() ? "gpu:" + device.getDeviceId() : "cpu";
    }

    /**
     * Parses {@code cpu}, {@code gpu} or {@code gpu:N} together with a dtype name.
     *
     * @param device {@code cpu}, {@code gpu} or {@code gpu:N}
     * @param dtype {@code float32}, {@code float16} or {@code bfloat16}
     * @return the choice
     */
    public static Compute parse(String device, String dtype) {
        return new Compute(parseDevice(device), Precision.parse(dtype));
    }

    /**
     * Parses {@code cpu}, {@code gpu}, {@code gpu:N} (or {@code cuda}, {@code cuda:N}).
     *
     * @throws InvalidInputException for anything else
     * @param device the device's name
     * @return the device
     */
    public static Device parseDevice(String device) {
        String d = device.toLowerCase(Locale.ROOT);
        Device dev;
        if (d.equals("cpu")) {
            dev = Device.cpu();
        } else if (d.equals("gpu") || d.equals("cuda")) {
            dev = Device.gpu();
        } else if (d.startsWith("gpu:") || d.startsWith("cuda:")) {
            try {
                int n = Integer.parseInt(d.substring(d.indexOf(':') + 1));
                if (n < 0) {
                    throw new NumberFormatException();
                }
                dev = Device.gpu(n);
            } catch (NumberFormatException e) {
                throw new dev.sdcond.models.InvalidInputException("bad device '" + device + "' (cpu, gpu, gpu:N)");
            }
        } else {
            throw new dev.sdcond.models.InvalidInputException("bad device '" + device + "' (cpu, gpu, gpu:N)");
        }
        return dev;
    }
}
