/**
 * Textual-inversion embeddings and the folders they come from.
 */
package dev.sdcond.conditioning.embeddings;
