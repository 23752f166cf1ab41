/**
 * Golden-file checks for a pipeline's own tests.
 */
package dev.sdcond.models.testing;
