package dev.sdcond.models;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** The hold after a pass whose thread waited for cores (README, Performance: "Threads beside other processes"). */
class ContentionHoldTest {
    private static final long S = 1_000_000_000L;
    private static final long T0 = 123_456_789L; // nanoTime's origin is arbitrary

    @Test
    void contentionLowersTheCountForAHoldThatDoublesUntilAFullPassIsClean() {
        ContentionHold h = new ContentionHold();
        assertEquals(2, h.cap(T0, 2));
        h.passEnded(T0, 2, false, 0.40); // 40% of the pass waiting: contention, held for 1 s
        assertEquals(1, h.cap(T0 + S / 2, 2));
        assertEquals(1, h.cap(T0 + S - 1, 2));
        assertEquals(2, h.cap(T0 + S, 2)); // the hold is over: the full count is tried again
        h.passEnded(T0 + S + S / 10, 2, false, 0.30); // still contended: held for 2 s now
        assertEquals(1, h.cap(T0 + 3 * S, 2));
        assertEquals(2, h.cap(T0 + 3 * S + S / 10, 2));
        h.passEnded(T0 + 4 * S, 2, false, 0.05); // a clean pass at the full count: the hold is back to 1 s
        h.passEnded(T0 + 5 * S, 2, false, 0.50);
        assertEquals(1, h.cap(T0 + 5 * S + S - 1, 2));
        assertEquals(2, h.cap(T0 + 6 * S, 2));
    }

    @Test
    void onlyPassesWithTwoOrMoreThreadsAndMoreThanAQuarterWaitingCount() {
        ContentionHold h = new ContentionHold();
        h.passEnded(T0, 1, false, 0.90); // one thread: nothing fewer to try
        assertEquals(2, h.cap(T0 + 1, 2));
        h.passEnded(T0, 2, false, 0.25); // exactly a quarter: not contention
        assertEquals(2, h.cap(T0 + 1, 2));
        h.passEnded(T0, 8, false, 0.26); // one fewer than the pass had, below what /proc/stat allows
        assertEquals(7, h.cap(T0 + 1, 8));
        assertEquals(3, h.cap(T0 + 1, 3));
    }

    @Test
    void aCleanHeldPassDoesNotShortenTheNextHoldAndHoldsStopAt32Seconds() {
        ContentionHold h = new ContentionHold();
        long t = T0;
        for (int i = 0; i < 10; i++) { // 1, 2, 4, ..., 32, 32, ... s
            h.passEnded(t, 2, false, 0.5);
            t += 40 * S;
        }
        h.passEnded(t, 2, false, 0.5); // held for 32 s
        h.passEnded(t + S, 1, true, 0.0); // clean, but at the held count: says nothing about the full count
        assertEquals(1, h.cap(t + 32 * S - 1, 2));
        assertEquals(2, h.cap(t + 32 * S, 2));
        h.passEnded(t + 33 * S, 2, false, 0.5); // still 32 s
        assertEquals(1, h.cap(t + 65 * S - 1, 2));
    }
}
