/**
 * Checkpoints of every layout, the compute choice (device, dtype), plain tensors and the exceptions of the toolkit:
 * {@link dev.sdcond.models.InvalidInputException} for bad input, {@link dev.sdcond.models.ModelMismatchException}
 * for a model that does not fit, {@link dev.sdcond.models.OutputException} for an output that cannot be written.
 */
package dev.sdcond.models;
