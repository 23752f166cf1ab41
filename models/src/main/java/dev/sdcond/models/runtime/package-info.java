/**
 * The process and its machine: the CPU's facts ({@link dev.sdcond.models.runtime.CpuInfo}) and the intra-op threads a
 * forward pass takes beside other processes ({@link dev.sdcond.models.runtime.CpuThreads}).
 */
package dev.sdcond.models.runtime;
