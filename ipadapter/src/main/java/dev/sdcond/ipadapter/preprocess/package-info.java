/**
 * CLIP image preprocessing: transformers' on Pillow, and ComfyUI's on torch.
 */
package dev.sdcond.ipadapter.preprocess;
