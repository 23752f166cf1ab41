package dev.sdcond.models.io;

import java.util.List;

/** Closing groups of native resources. */
public final class Resources {
    private Resources() {}

    /**
     * Closes every resource in reverse order of opening; failures to close are not actionable and are ignored.
     *
     * @param resources what to close, in reverse order
     */
    public static void closeAll(List<? extends AutoCloseable> resources) {
        for (int i = resources.size() - 1; i >= 0; i--) {
            try {
                resources.get(i).close();
            } catch (Exception ignored) {
                // closing native memory does not fail in a way callers can act on
            }
        }
    }
}
