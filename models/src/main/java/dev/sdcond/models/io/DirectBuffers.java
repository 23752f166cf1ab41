package dev.sdcond.models.io;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.lang.reflect.Field;
import java.nio.ByteBuffer;

/**
 * Frees a direct or mapped buffer at once (through {@code sun.misc.Unsafe.invokeCleaner}) instead of waiting for the
 * garbage collector, so that loading a multi-GB checkpoint does not hold its file pages or staging buffers in the
 * process next to the loaded copy. Where that is unavailable, freeing is left to the GC.
 */
public final class DirectBuffers {
    private static final MethodHandle INVOKE_CLEANER = find();

    private DirectBuffers() {}

    private static MethodHandle find() {
        try {
            Class<?> unsafeClass = Class.forName("sun.misc.Unsafe");
            Field f = unsafeClass.getDeclaredField("theUnsafe");
            f.setAccessible(true);
            Object unsafe = f.get(null);
            return MethodHandles.lookup()
                    .findVirtual(unsafeClass, "invokeCleaner", MethodType.methodType(void.class, ByteBuffer.class))
                    .bindTo(unsafe);
        } catch (ReflectiveOperationException | RuntimeException e) {
            return null;
        }
    }

    /**
     * Frees (or unmaps) {@code buffer}; it must not be used afterwards, nor any view or array over it.
     *
     * @param buffer a direct buffer
     */
    public static void free(ByteBuffer buffer) {
        if (INVOKE_CLEANER != null && buffer.isDirect()) {
            try {
                INVOKE_CLEANER.invokeExact(buffer);
            } catch (Throwable ignored) {
                // a duplicate or slice cannot be cleaned: leave it to the GC
            }
        }
    }
}
