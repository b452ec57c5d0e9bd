package dev.turnout.serving;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The routing hook alone: weights, keys, buckets. */
class TrafficSplitTest {

    @Test
    void noSplitMeansTheActiveVersion() {
        TrafficSplit split = new TrafficSplit();
        assertNull(split.choose("m", null));
        split.route("m", 2, 0);
        assertNull(split.choose("m", null));
        split.route("m", 2, 100);
        assertEquals(2, split.choose("m", null));
        split.clear("m");
        assertNull(split.choose("m", "key"));
    }

    @Test
    void keysSpreadEvenlyAndStick() {
        TrafficSplit split = new TrafficSplit();
        split.route("m", 2, 25);
        int candidate = 0;
        for (int i = 0; i < 10_000; i++) {
            Integer chosen = split.choose("m", "user-" + i);
            assertEquals(chosen, split.choose("m", "user-" + i), "the same key, the same side");
            if (chosen != null) {
                candidate++;
            }
        }
        assertTrue(Math.abs(candidate - 2500) < 250, "similar keys spread evenly: " + candidate);
    }

    @Test
    void latencyBucketsGrowByAQuarter() {
        assertEquals(0, VersionTraffic.bucket(0));
        assertEquals(0, VersionTraffic.bucket(100));
        assertEquals(1, VersionTraffic.bucket(101));
        assertEquals(VersionTraffic.BUCKETS - 1, VersionTraffic.bucket(Long.MAX_VALUE));
    }
}
