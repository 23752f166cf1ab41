/**
 * The CLIP BPE tokenizer.
 */
package dev.sdcond.conditioning.tokenizer;
