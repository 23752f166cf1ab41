/**
 * The T5 v1.1 encoder of Flux and SD3 ({@link dev.sdcond.models.t5.T5EncoderModel}), in transformers' layout and
 * semantics.
 */
package dev.sdcond.models.t5;
