/**
 * Image files decoded as Pillow decodes them, within size limits checked before reading.
 */
package dev.sdcond.ipadapter.image;
