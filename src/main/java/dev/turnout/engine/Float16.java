package dev.turnout.engine;

/**
 * IEEE 754 half precision (FP16) as the raw 16 bits in a {@code short}, converted to and from {@code float}. Java 17
 * has no such conversion (Float.float16ToFloat came in Java 20), so it is done here on the bits.
 */
public final class Float16 {

    /** The largest finite FP16 value. */
    public static final float MAX = 65504f;

    private Float16() {
    }

    /** The exact float value of a half (every half is exactly representable as a float). */
    public static float toFloat(short half) {
        int bits = half & 0xffff;
        int sign = (bits & 0x8000) << 16;
        int exponent = (bits >>> 10) & 0x1f;
        int mantissa = bits & 0x3ff;
        if (exponent == 0x1f) { // infinity or NaN: all ones in the float's exponent, mantissa kept
            return Float.intBitsToFloat(sign | 0x7f800000 | (mantissa << 13));
        }
        if (exponent == 0) { // zero or subnormal: mantissa units of 2^-24
            float magnitude = mantissa * 0x1p-24f;
            return sign == 0 ? magnitude : -magnitude;
        }
        return Float.intBitsToFloat(sign | ((exponent - 15 + 127) << 23) | (mantissa << 13));
    }

    /** The nearest half to {@code value}, ties to even; beyond the range it becomes an infinity, NaN stays NaN. */
    public static short fromFloat(float value) {
        int bits = Float.floatToRawIntBits(value);
        int sign = (bits >>> 16) & 0x8000;
        int magnitude = bits & 0x7fffffff;
        if (magnitude > 0x7f800000) {
            return (short) (sign | 0x7e00); // a quiet NaN
        }
        if (magnitude >= 0x477ff000) { // 65520 and up round past 65504
            return (short) (sign | 0x7c00);
        }
        if (magnitude >= 0x38800000) { // 2^-14 and up: a normal half; rebias the exponent, drop 13 mantissa bits
            int rebiased = magnitude - (112 << 23);
            return (short) (sign | roundShift(rebiased, 13)); // a carry into the exponent is the correct result
        }
        if (magnitude < 0x33000000) { // below 2^-25, half the smallest subnormal: zero
            return (short) sign;
        }
        int exponent = magnitude >>> 23; // 102..112: a subnormal half, in units of 2^-24
        int significand = (magnitude & 0x7fffff) | 0x800000;
        return (short) (sign | roundShift(significand, 126 - exponent));
    }

    private static int roundShift(int value, int shift) {
        int kept = value >>> shift;
        int dropped = value & ((1 << shift) - 1);
        int halfway = 1 << (shift - 1);
        return dropped > halfway || (dropped == halfway && (kept & 1) == 1) ? kept + 1 : kept;
    }
}
