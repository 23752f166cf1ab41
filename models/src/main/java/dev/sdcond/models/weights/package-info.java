/**
 * Tower parameters by their Hugging Face names, whatever layout stores them, read with every name and shape checked
 * first.
 */
package dev.sdcond.models.weights;
