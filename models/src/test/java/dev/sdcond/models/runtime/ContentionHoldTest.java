package dev.sdcond.models.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** The hold after passes whose thread waited for cores (README, Performance: "Threads beside other processes"). */
class ContentionHoldTest {
    private static final long S = 1_000_000_000L;
    private static final long T0 = 123_456_789L; // nanoTime's origin is arbitrary

    @Test
    void twoContendedPassesInARowHoldAndTheHoldDoublesUntilAFullPassIsClean() {
        ContentionHold h = new ContentionHold();
        assertEquals(2, h.cap(T0, 2));
        h.passEnded(T0, 2, false, 0.40); // 40% of the pass waiting: one is not enough
        assertEquals(2, h.cap(T0 + 1, 2));
        h.passEnded(T0 + S / 10, 2, false, 0.35); // the second in a row: held for 1 s
        long t = T0 + S / 10;
        assertEquals(1, h.cap(t + S / 2, 2));
        assertEquals(1, h.cap(t + S - 1, 2));
        assertEquals(2, h.cap(t + S, 2)); // the hold is over: the full count is tried again
        h.passEnded(t + S + S / 10, 2, false, 0.30); // still contended: held again at once, for 2 s
        t += S + S / 10;
        assertEquals(1, h.cap(t + 2 * S - 1, 2));
        assertEquals(2, h.cap(t + 2 * S, 2));
        h.passEnded(t + 2 * S, 2, false, 0.05); // a clean pass at the full count ends the streak and the doubling
        h.passEnded(t + 3 * S, 2, false, 0.50);
        assertEquals(2, h.cap(t + 3 * S + 1, 2));
        h.passEnded(t + 4 * S, 2, false, 0.50);
        assertEquals(1, h.cap(t + 5 * S - 1, 2)); // 1 s again
        assertEquals(2, h.cap(t + 5 * S, 2));
    }

    @Test
    void onlyPassesWithTwoOrMoreThreadsAndMoreThanAQuarterWaitingCount() {
        ContentionHold h = new ContentionHold();
        h.passEnded(T0, 1, false, 0.90); // one thread: nothing fewer to try
        h.passEnded(T0, 1, false, 0.90);
        assertEquals(2, h.cap(T0 + 1, 2));
        h.passEnded(T0, 2, false, 0.25); // exactly a quarter: not contention
        h.passEnded(T0, 2, false, 0.25);
        assertEquals(2, h.cap(T0 + 1, 2));
        h.passEnded(T0, 8, false, 0.26);
        h.passEnded(T0, 8, false, 0.26); // one fewer than the pass had, and never more than /proc/stat allows
        assertEquals(7, h.cap(T0 + 1, 8));
        assertEquals(3, h.cap(T0 + 1, 3));
    }

    @Test
    void heldPassesSayNothingAndHoldsStopAt32Seconds() {
        ContentionHold h = new ContentionHold();
        long t = T0;
        h.passEnded(t, 2, false, 0.5);
        for (int i = 0; i < 10; i++) { // 1, 2, 4, ..., 32, 32, ... s
            h.passEnded(t, 2, false, 0.5);
            t += 40 * S;
        }
        h.passEnded(t, 2, false, 0.5); // held for 32 s
        h.passEnded(t + S, 1, true, 0.0); // clean, but at the held count
        h.passEnded(t + 2 * S, 2, false, 0.0); // a full-count pass that started before the hold, ending inside it
        assertEquals(1, h.cap(t + 32 * S - 1, 2));
        assertEquals(2, h.cap(t + 32 * S, 2));
        h.passEnded(t + 33 * S, 2, false, 0.5); // still 32 s
        assertEquals(1, h.cap(t + 65 * S - 1, 2));
    }
}
