/**
 * What sdcond knows about the models it serves, written once: the CLIP families ({@link
 * dev.sdcond.models.registry.ClipFamily}), the builtin random models ({@link dev.sdcond.models.registry.Builtin}),
 * the folder conventions of diffusers pipelines and IP-Adapter repositories ({@link
 * dev.sdcond.models.registry.ModelFolders}) and the IP-Adapter kinds ({@link
 * dev.sdcond.models.registry.ImageAdapterKind}). Adding a family, a builtin or a layout touches this package.
 */
package dev.sdcond.models.registry;
