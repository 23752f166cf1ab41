/**
 * LoRA files (kohya and diffusers/PEFT keys) merged into text towers as they load.
 */
package dev.sdcond.models.lora;
