package dev.turnout.dataset;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;

/**
 * Numbers parsed straight from ASCII bytes, for the common plain forms only: {@code [+-]digits[.digits][(e|E)[+-]digits]}
 * with at most 18 significant digits and a small exponent. Each parse gives exactly what the JDK's parser gives for
 * that text, or says it cannot ({@code NaN} for floats, {@link #NOT_PARSED} for integers) and the caller asks the
 * JDK: whitespace, "NaN", "Infinity", hex, suffixes, long mantissas, large exponents and malformed text all go there.
 * Exactness: a mantissa below 2^24 (2^53) times or divided by an exact power of ten is one correctly rounded IEEE
 * operation (Clinger's fast path); for a float beyond that, the correctly rounded double is rounded to float unless it
 * is exactly halfway between two floats (the one case where rounding twice can differ from rounding once).
 */
public final class Decimals {

    /** What {@link #parseLong} answers when the JDK must decide (it cannot come from 18 digits). */
    public static final long NOT_PARSED = Long.MIN_VALUE;

    private static final float[] FLOAT_POWERS = {1e0f, 1e1f, 1e2f, 1e3f, 1e4f, 1e5f, 1e6f, 1e7f, 1e8f, 1e9f, 1e10f};
    private static final double[] DOUBLE_POWERS = {1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12,
            1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22};
    private static final int MAX_DIGITS = 18;
    private static final long FLOAT_EXACT = 1L << 24;
    private static final long DOUBLE_EXACT = 1L << 53;
    private static final long MANTISSA_BITS = DOUBLE_EXACT - 1;
    private static final long NEGATIVE = 1L << 59;
    /** Four bytes of a byte[] as one int, the first byte lowest. */
    private static final VarHandle FOUR_BYTES = MethodHandles.byteArrayViewVarHandle(int[].class,
            ByteOrder.LITTLE_ENDIAN);

    private Decimals() {
    }

    /** {@code Float.parseFloat} of the text, or NaN when this parser leaves it to the JDK. */
    public static float parseFloat(byte[] bytes, int from, int to) {
        long decimal = decimal(bytes, from, to);
        if (decimal == NOT_PARSED) {
            return Float.NaN;
        }
        long mantissa = decimal & MANTISSA_BITS;
        int exponent = exponent(decimal);
        float value;
        if (mantissa <= FLOAT_EXACT && exponent >= -10 && exponent <= 10) {
            value = exponent < 0 ? (float) mantissa / FLOAT_POWERS[-exponent] : (float) mantissa * FLOAT_POWERS[exponent];
        } else {
            double exact = magnitude(decimal);
            value = (float) exact; // |exact| is within 1e-22..1e38: no float overflow, no subnormal
            if (value != exact) {
                float neighbour = Math.nextAfter(value, exact);
                if (((double) value + (double) neighbour) * 0.5 == exact) {
                    return Float.NaN; // halfway between two floats: only the decimal text can break the tie
                }
            }
        }
        return (decimal & NEGATIVE) != 0 ? -value : value;
    }

    /** {@code Double.parseDouble} of the text, or NaN when this parser leaves it to the JDK. */
    public static double parseDouble(byte[] bytes, int from, int to) {
        long decimal = decimal(bytes, from, to);
        if (decimal == NOT_PARSED) {
            return Double.NaN;
        }
        double value = magnitude(decimal);
        return (decimal & NEGATIVE) != 0 ? -value : value;
    }

    /** The decimal exponent of a {@link #decimal} answer. */
    private static int exponent(long decimal) {
        return (int) (decimal >>> 53 & 0x3f) - 22;
    }

    /** |value| of a {@link #decimal} answer as the correctly rounded double: one exact operand times or over another. */
    private static double magnitude(long decimal) {
        long mantissa = decimal & MANTISSA_BITS;
        int exponent = exponent(decimal);
        return exponent < 0 ? (double) mantissa / DOUBLE_POWERS[-exponent] : (double) mantissa * DOUBLE_POWERS[exponent];
    }

    /**
     * The text as mantissa (bits 0-52, below 2^53), decimal exponent + 22 (bits 53-58, exponent within -22..22) and
     * sign (bit 59), or {@link #NOT_PARSED} when it is not of the plain form or outside those bounds.
     */
    private static long decimal(byte[] bytes, int from, int to) {
        long plain = fixedPoint(bytes, from, to);
        return plain != NOT_PARSED ? plain : general(bytes, from, to);
    }

    /**
     * {@link #decimal} for the form most files hold, {@code [+-]digits[.digits]} with at most 18 digits in all: the
     * digits after the point four at a time (one 32-bit load, a digit check and two multiplies instead of four trips
     * round a loop with its branches). Leading zeros count among the 18 here, so it answers a subset of what
     * {@link #general} answers, with the same mantissa and exponent; {@link #NOT_PARSED} sends the text there.
     */
    private static long fixedPoint(byte[] bytes, int from, int to) {
        int i = from;
        long sign = 0;
        if (i < to) {
            if (bytes[i] == '-') {
                sign = NEGATIVE;
                i++;
            } else if (bytes[i] == '+') {
                i++;
            }
        }
        long mantissa = 0;
        int start = i;
        int digit;
        while (i < to && (digit = bytes[i] - '0') >= 0 && digit <= 9) {
            mantissa = mantissa * 10 + digit;
            i++;
        }
        int digits = i - start;
        int fraction = 0;
        if (i < to) {
            if (bytes[i] != '.') {
                return NOT_PARSED; // an exponent, or not a number
            }
            start = ++i;
            while (to - i >= 4) {
                int four = (int) FOUR_BYTES.get(bytes, i);
                int values = four - 0x30303030;
                if (((four + 0x46464646 | values) & 0x80808080) != 0) {
                    break; // a byte of the four is no digit (a byte below '0' borrows, one above '9' carries)
                }
                int pairs = (values * 10 + (values >>> 8)) & 0x00FF00FF; // d0 d1 and d2 d3 as two-digit numbers
                mantissa = mantissa * 10_000 + (pairs & 0xFF) * 100 + (pairs >>> 16);
                i += 4;
            }
            while (i < to && (digit = bytes[i] - '0') >= 0 && digit <= 9) {
                mantissa = mantissa * 10 + digit;
                i++;
            }
            if (i != to) {
                return NOT_PARSED;
            }
            fraction = i - start;
            digits += fraction;
        }
        if (digits == 0 || digits > MAX_DIGITS || mantissa >= DOUBLE_EXACT) {
            return NOT_PARSED;
        }
        int exponent = mantissa == 0 ? 0 : -fraction; // zero whatever the exponent (only its sign stays)
        return mantissa | (long) (exponent + 22) << 53 | sign;
    }

    /** {@link #decimal} for every form it answers, one byte at a time. */
    private static long general(byte[] bytes, int from, int to) {
        int i = from;
        boolean negative = false;
        if (i < to && (bytes[i] == '-' || bytes[i] == '+')) {
            negative = bytes[i] == '-';
            i++;
        }
        long mantissa = 0;
        int digits = 0;
        int exponent = 0;
        boolean any = false;
        boolean fraction = false;
        // the digits before and after the point, in one pass: each digit after it lowers the exponent by one
        for (; i < to; i++) {
            if (bytes[i] == '.' && !fraction) {
                fraction = true;
                continue;
            }
            int digit = bytes[i] - '0';
            if (digit < 0 || digit > 9) {
                break;
            }
            any = true;
            if (mantissa != 0 || digit != 0) {
                if (++digits > MAX_DIGITS) {
                    return NOT_PARSED;
                }
                mantissa = mantissa * 10 + digit;
            }
            if (fraction) {
                exponent--;
            }
        }
        if (!any) {
            return NOT_PARSED;
        }
        if (i < to && (bytes[i] == 'e' || bytes[i] == 'E')) {
            i++;
            boolean below = false;
            if (i < to && (bytes[i] == '-' || bytes[i] == '+')) {
                below = bytes[i] == '-';
                i++;
            }
            int start = i;
            int written = 0;
            for (; i < to; i++) {
                int digit = bytes[i] - '0';
                if (digit < 0 || digit > 9) {
                    break;
                }
                if (i - start == 4) {
                    return NOT_PARSED;
                }
                written = written * 10 + digit;
            }
            if (i == start) {
                return NOT_PARSED;
            }
            exponent += below ? -written : written;
        }
        if (i != to) {
            return NOT_PARSED;
        }
        if (mantissa == 0) {
            exponent = 0; // zero whatever the exponent (only its sign stays)
        }
        if (mantissa >= DOUBLE_EXACT || exponent < -22 || exponent > 22) {
            return NOT_PARSED;
        }
        return mantissa | (long) (exponent + 22) << 53 | (negative ? NEGATIVE : 0);
    }

    /** {@code Long.parseLong} of the text, or {@link #NOT_PARSED} when this parser leaves it to the JDK. */
    public static long parseLong(byte[] bytes, int from, int to) {
        int i = from;
        boolean minus = false;
        if (i < to && (bytes[i] == '-' || bytes[i] == '+')) {
            minus = bytes[i] == '-';
            i++;
        }
        if (i == to || to - i > MAX_DIGITS) {
            return NOT_PARSED;
        }
        long value = 0;
        for (; i < to; i++) {
            int digit = bytes[i] - '0';
            if (digit < 0 || digit > 9) {
                return NOT_PARSED;
            }
            value = value * 10 + digit;
        }
        return minus ? -value : value;
    }
}
