package dev.sdcond.ipadapter.image;

import java.nio.file.Path;

/** The image files of a folder, as {@code encode-image --images} and the library take them. */
public final class ImageFolder {
    private ImageFolder() {
    }

    /**
     * The images of a folder (PNG, JPEG, WebP, BMP, GIF by extension), sorted by name; subfolders are not searched.
     *
     * @param dir the folder
     * @return the image files
     * @throws dev.sdcond.models.InvalidInputException when it is not a folder, cannot be read or holds no image
     */
    public static java.util.List<Path> list(Path dir) {
        if (!java.nio.file.Files.isDirectory(dir)) {
            throw new dev.sdcond.models.InvalidInputException(dir + ": a folder of images is needed, and this is "
                    + (java.nio.file.Files.exists(dir) ? "a file" : "not there"));
        }
        try (java.util.stream.Stream<Path> s = java.nio.file.Files.list(dir)) {
            java.util.List<Path> files = s.filter(java.nio.file.Files::isRegularFile)
                    .filter(p -> p.getFileName().toString().toLowerCase(java.util.Locale.ROOT)
                            .matches(".*\\.(png|jpe?g|webp|bmp|gif)$"))
                    .sorted().toList();
            if (files.isEmpty()) {
                throw new dev.sdcond.models.InvalidInputException(dir + ": no PNG, JPEG, WebP, BMP or GIF files");
            }
            return files;
        } catch (java.io.IOException e) {
            throw dev.sdcond.models.io.InputFiles.unreadable(dir, e);
        }
    }
}
