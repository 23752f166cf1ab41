package dev.sdcond.models.safetensors;

import dev.sdcond.models.NumericalException;
import dev.sdcond.models.Towers;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import dev.sdcond.models.safetensors.SafetensorsWriter;
import org.junit.jupiter.api.Test;

class ProvenanceTest {
    @Test
    void nonFiniteTensorsAreRefusedAndNotAdded() {
        try (NDManager m = NDManager.newBaseManager(Towers.ENGINE)) {
            SafetensorsWriter w = new SafetensorsWriter();
            Provenance.addFinite(w, "ok", m.create(new float[] {1f, -2f}));
            NumericalException nan = assertThrows(NumericalException.class,
                    () -> Provenance.addFinite(w, "bad", m.create(new float[] {1f, Float.NaN})));
            assertTrue(nan.getMessage().startsWith("bad contains NaN or Inf"), nan.getMessage());
            assertThrows(NumericalException.class,
                    () -> Provenance.addFinite(w, "inf", m.create(new float[] {Float.NEGATIVE_INFINITY})));
            assertEquals(java.util.List.of("ok"), w.names());
        }
    }
}
