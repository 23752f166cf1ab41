/**
 * The CLIP tower configs, as transformers' {@code config.json} gives them, and the known families.
 */
package dev.sdcond.models.config;
