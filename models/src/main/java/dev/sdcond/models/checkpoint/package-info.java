/**
 * Finding and opening checkpoints: a file, a sharded index or a folder ({@link dev.sdcond.models.checkpoint.Checkpoints}),
 * and the CLIP towers a checkpoint of any layout holds ({@link dev.sdcond.models.checkpoint.ClipCheckpoint}).
 */
package dev.sdcond.models.checkpoint;
