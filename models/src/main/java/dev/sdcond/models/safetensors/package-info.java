/**
 * A validating, memory-mapped safetensors reader, sharded checkpoints, and an atomic writer of safetensors and npy
 * outputs.
 */
package dev.sdcond.models.safetensors;
