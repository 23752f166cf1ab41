/**
 * The {@code sdcond} command line: it binds options to the library.
 */
package dev.sdcond.cli;
