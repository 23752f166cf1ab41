/**
 * Text conditioning: presets, loading text encoders (with LoRAs), encoding prompts the way A1111, ComfyUI or
 * diffusers do, and the one-call {@link dev.sdcond.conditioning.Conditioning} facade.
 */
package dev.sdcond.conditioning;
