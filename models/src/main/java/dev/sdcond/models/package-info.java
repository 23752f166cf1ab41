/**
 * The models module's small API, which depends on none of its other packages: the compute choice
 * ({@link dev.sdcond.models.Compute}, {@link dev.sdcond.models.Precision}, the attention and linear kernels), plain
 * tensors ({@link dev.sdcond.models.FloatTensor}) and the exceptions of the toolkit:
 * {@link dev.sdcond.models.InvalidInputException} for bad input, {@link dev.sdcond.models.ModelMismatchException}
 * for a model that does not fit, {@link dev.sdcond.models.OutputException} for an output that cannot be written.
 * The parts: {@code safetensors} (files), {@code checkpoint} (finding and opening them), {@code layout} (key layouts),
 * {@code config}, {@code registry} (families, presets' towers, builtin models), {@code weights}, {@code clip} and
 * {@code t5} (towers), {@code kernels}, {@code runtime} (threads, CPU facts), {@code lora}, {@code io}.
 */
package dev.sdcond.models;
