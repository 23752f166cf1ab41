package dev.sdcond.models.kernels;

import dev.sdcond.models.Towers;
import ai.djl.Device;
import ai.djl.ndarray.NDManager;
import ai.djl.pytorch.engine.PtNDManager;
import ai.djl.pytorch.engine.PtSymbolBlock;
import ai.djl.pytorch.jni.JniUtils;
import java.io.IOException;
import java.io.InputStream;

/**
 * The TorchScript kernel archive this process runs: {@code kernels.pt}, or {@code kernels-portable.pt} (no oneDNN or
 * MKL ops) for a libtorch built without them; each says what it was built from (KernelArchivesTest).
 */
final class KernelArchive {
    private static String loaded = "none";
    /** The module, loaded once; null when no archive loads into this libtorch. */
    static final PtSymbolBlock MODULE = first();
    /** The first 16 hex digits of the loaded archive's SHA-256, or {@code none}. */
    static final String HASH = loaded;

    private KernelArchive() {
    }

    private static PtSymbolBlock first() {
        // kernels.pt names oneDNN's and MKL's ops; a libtorch without them cannot load it at all, so the same module
        // without them comes second (no packed linear there: packedLinearAvailable() says false)
        for (String name : new String[] {"kernels.pt", "kernels-portable.pt"}) {
            PtSymbolBlock module = load(name);
            if (module != null) {
                loaded = hash(name);
                return module;
            }
        }
        return null;
    }

    private static String hash(String resource) {
        try (InputStream is = KernelArchive.class.getResourceAsStream("/dev/sdcond/models/" + resource)) {
            byte[] d = java.security.MessageDigest.getInstance("SHA-256").digest(is.readAllBytes());
            return java.util.HexFormat.of().formatHex(d).substring(0, 16);
        } catch (IOException | java.security.NoSuchAlgorithmException | RuntimeException e) {
            return "unknown";
        }
    }

    /**
     * Loads one of the kernel archives.
     *
     * @param resource {@code kernels.pt} or {@code kernels-portable.pt}
     * @return the module, or null when it cannot be loaded into this libtorch
     */
    static PtSymbolBlock load(String resource) {
        NDManager home = NDManager.newBaseManager(Device.cpu(), Towers.ENGINE);
        try (InputStream is = KernelArchive.class.getResourceAsStream("/dev/sdcond/models/" + resource)) {
            if (is == null) {
                throw new IOException("resource " + resource + " is missing");
            }
            return JniUtils.loadModule((PtNDManager) home, is, true, false);
        } catch (IOException | RuntimeException e) {
            home.close();
            return null;
        }
    }
}
