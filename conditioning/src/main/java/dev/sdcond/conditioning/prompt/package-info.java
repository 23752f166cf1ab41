/**
 * Prompt syntax and chunking: A1111's and ComfyUI's weighting, BREAK, extra-network tags, embedding triggers.
 */
package dev.sdcond.conditioning.prompt;
