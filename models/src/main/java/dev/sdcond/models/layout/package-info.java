/**
 * Finding CLIP towers in a checkpoint from its key names, and their configs where no config file comes with them.
 */
package dev.sdcond.models.layout;
