package dev.turnout.engine;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** FP16 conversions against values whose bits are known from IEEE 754. */
class Float16Test {

    static void both(int bits, float value) {
        assertEquals((short) bits, Float16.fromFloat(value), "bits of " + value);
        assertEquals(value, Float16.toFloat((short) bits), "value of 0x" + Integer.toHexString(bits));
    }

    @Test
    void knownValuesBothWays() {
        both(0x0000, 0f);
        both(0x8000, -0f);
        both(0x3c00, 1f);
        both(0xc000, -2f);
        both(0x3800, 0.5f);
        both(0x7bff, 65504f);
        both(0xfbff, -65504f);
        both(0x0400, 0x1p-14f); // the smallest normal
        both(0x0001, 0x1p-24f); // the smallest subnormal
        both(0x03ff, 1023 * 0x1p-24f); // the largest subnormal
        both(0x7c00, Float.POSITIVE_INFINITY);
        both(0xfc00, Float.NEGATIVE_INFINITY);
    }

    @Test
    void roundsToNearestEven() {
        assertEquals((short) 0x2e66, Float16.fromFloat(0.1f)); // 0.0999755859375
        assertEquals(0.0999755859375f, Float16.toFloat(Float16.fromFloat(0.1f)));
        assertEquals((short) 0x3c00, Float16.fromFloat(1f + 0x1p-11f)); // a tie: stays on the even 1.0
        assertEquals((short) 0x3c02, Float16.fromFloat(1f + 3 * 0x1p-11f)); // a tie: up to the even neighbour
        assertEquals((short) 0x3c01, Float16.fromFloat(1f + 0x1p-11f + 0x1p-20f)); // past the tie: up
        assertEquals((short) 0x7bff, Float16.fromFloat(65519f));
        assertEquals((short) 0x7c00, Float16.fromFloat(65520f));
        assertEquals((short) 0x0000, Float16.fromFloat(0x1p-25f)); // a tie with zero: zero is even
        assertEquals((short) 0x0001, Float16.fromFloat(0x1.8p-25f));
        assertEquals((short) 0x0002, Float16.fromFloat(0x1.8p-24f)); // 1.5 units: a tie, up to the even 2
        assertEquals((short) 0x0400, Float16.fromFloat(0x1.ffffp-15f)); // rounds up into the normals
        assertTrue(Float.isNaN(Float16.toFloat(Float16.fromFloat(Float.NaN))));
    }

    @Test
    void everyHalfSurvivesTheRoundTrip() {
        for (int bits = 0; bits <= 0xffff; bits++) {
            float value = Float16.toFloat((short) bits);
            if (!Float.isNaN(value)) {
                assertEquals((short) bits, Float16.fromFloat(value), "0x" + Integer.toHexString(bits));
            }
        }
    }
}
