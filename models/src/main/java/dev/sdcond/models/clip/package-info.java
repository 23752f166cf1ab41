/**
 * The CLIP text and vision towers on DJL, as transformers' CLIPTextModelWithProjection and
 * CLIPVisionModelWithProjection.
 */
package dev.sdcond.models.clip;
