package dev.sdcond.cli;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;

/** What goes into an output's metadata about where it came from. */
final class Provenance {
    static final String VERSION = "0.1.0";

    private Provenance() {}

    /** SHA-256 of each weight file ("name:hash", comma separated), or "none" for generated weights. */
    static String sha256(List<Path> files) throws IOException {
        if (files.isEmpty()) {
            return "none";
        }
        StringBuilder sb = new StringBuilder();
        for (Path f : files) {
            if (sb.length() > 0) {
                sb.append(',');
            }
            sb.append(files.size() > 1 ? f.getFileName() + ":" : "").append(sha256(f));
        }
        return sb.toString();
    }

    static String sha256(Path file) throws IOException {
        MessageDigest md;
        try {
            md = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
        byte[] buf = new byte[1 << 20];
        try (InputStream in = Files.newInputStream(file)) {
            for (int n; (n = in.read(buf)) > 0; ) {
                md.update(buf, 0, n);
            }
        }
        return HexFormat.of().formatHex(md.digest());
    }
}
