/**
 * IP-Adapter image embeddings: image encoders, their unconditional variants, and the one-call {@link
 * dev.sdcond.ipadapter.ImageConditioning} facade.
 */
package dev.sdcond.ipadapter;
