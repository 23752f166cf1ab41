/**
 * The kernels the towers run: sdcond's TorchScript archive and its bindings
 * ({@link dev.sdcond.models.kernels.TorchScriptKernels}), the products' kernels per shape, checked on this machine
 * before use, and the timings that choose among them.
 */
package dev.sdcond.models.kernels;
