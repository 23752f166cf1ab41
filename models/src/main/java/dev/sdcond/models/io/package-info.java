/**
 * Reading inputs and writing outputs safely: atomic files and folders, output targets that may be written, stale
 * temporaries.
 */
package dev.sdcond.models.io;
