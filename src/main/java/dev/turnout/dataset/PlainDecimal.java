package dev.turnout.dataset;

/**
 * A field of the form {@code [+-]digits[.digits]} (at most 18 digits, leading zeros counted) as one long, read by the
 * CSV reader while it splits the row ({@link DatasetCursor#decimal}), so a number column is not scanned a second time
 * to be parsed: mantissa (bits 0-52, below 2^53), decimal exponent + 22 (bits 53-58) and sign (bit 59). The mantissa is
 * the field's digits as written and the exponent minus the digits after the point (0 for a zero mantissa): an exact
 * decimal that the evaluation's parser turns into the value the JDK gives for the text.
 */
public final class PlainDecimal {

    /** No plain decimal: the field has another form (or was not scanned); parse its bytes or text. */
    public static final long NONE = Long.MIN_VALUE;
    public static final long MANTISSA_BITS = (1L << 53) - 1;
    public static final long NEGATIVE = 1L << 59;
    public static final int EXPONENT_BIAS = 22;
    public static final int MAX_DIGITS = 18;

    private PlainDecimal() {
    }

    /** The decimal exponent of a value other than {@link #NONE}. */
    public static int exponent(long decimal) {
        return (int) (decimal >>> 53 & 0x3f) - EXPONENT_BIAS;
    }

    /**
     * The field {@code bytes[start..end)} as a plain decimal, from what a scan of it found: {@code mantissa} (its
     * digits so far, times ten per digit), {@code point} (the index of its one '.', or -1) and {@code plain} (no byte
     * but digits, that point and a sign first); {@link #NONE} when it is not of the form.
     */
    static long of(byte[] bytes, int start, int end, long mantissa, int point, boolean plain) {
        if (!plain) {
            return NONE;
        }
        long sign = 0;
        int digits = end - start;
        if (digits > 0 && (bytes[start] == '-' || bytes[start] == '+')) {
            sign = bytes[start] == '-' ? NEGATIVE : 0;
            digits--;
        }
        int fraction = 0;
        if (point >= 0) {
            digits--;
            fraction = end - point - 1;
        }
        if (digits == 0 || digits > MAX_DIGITS || mantissa > MANTISSA_BITS) {
            return NONE;
        }
        int exponent = mantissa == 0 ? 0 : -fraction; // zero whatever the exponent (only its sign stays)
        return mantissa | (long) (exponent + EXPONENT_BIAS) << 53 | sign;
    }
}
