/**
 * A pipeline-style use of the library, with plain arrays and no DJL types.
 */
package dev.sdcond.examples;
