package dev.turnout.dataset;

import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.math.MathContext;
import java.math.RoundingMode;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/** {@link Decimals} against the JDK's parsers: whenever it answers, it answers exactly what they answer. */
class DecimalsTest {

    private static final List<String> EDGES = List.of("0", "-0", "+0", "0.0", "-0.0", "000", "-000.000", ".5", "5.",
            "-.5", "+.5", "5.e3", "5.E-3", ".e3", ".", "", "-", "+", "e5", "1e", "1e+", "1e-", "--1", "+-1", "1.2.3",
            "1e-45", "1.4e-45", "1.401298464324817e-45", "7e-46", "1.17549435e-38", "3.4028235e38", "3.4028236e38",
            "1e38", "1e39", "NaN", "-NaN", "Infinity", "-Infinity", "inf", "0x1p3", "0x1.8p1", "1.5f", "1.5d", "1.5F",
            " 1.5", "1.5 ", "\t1", "1,5", "1_0", "00001.5000", "16777216", "16777217", "16777218", "16777219",
            "33554434", "33554438", "-16777217", "1.6777217e7", "167772170e-1", "8388609.5", "1e10", "1e11", "1e22",
            "1e23", "9007199254740992", "9007199254740993", "123456789012345678", "1234567890123456789",
            "0.000000000000000000001", "0.0000000000000000000001", "1e-22", "1e-23", "2e0000", "2e00001", "1e9999",
            "0e9999", "0e-9999", "1.00000005960464477539", "1.0000000596046448", "0.1", "0.2", "0.3", "0.7",
            "2.5", "-2.5", "1.2345", "-0.9012", "4.35", "100", "１", "٣");

    private static byte[] ascii(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    /** Whether the fast parser answered; fails when it answers anything but the JDK's float (bit for bit). */
    private static boolean sameFloat(String text) {
        byte[] bytes = ascii(text);
        float fast = Decimals.parseFloat(bytes, 0, bytes.length);
        if (Float.isNaN(fast)) {
            return false;
        }
        float jdk;
        try {
            jdk = Float.parseFloat(text);
        } catch (NumberFormatException e) {
            fail("'" + text + "' parsed to " + fast + " but the JDK refuses it");
            return true;
        }
        assertEquals(Float.floatToRawIntBits(jdk), Float.floatToRawIntBits(fast), () -> "'" + text + "': JDK " + jdk
                + ", fast " + fast);
        return true;
    }

    private static boolean sameDouble(String text) {
        byte[] bytes = ascii(text);
        double fast = Decimals.parseDouble(bytes, 0, bytes.length);
        if (Double.isNaN(fast)) {
            return false;
        }
        double jdk;
        try {
            jdk = Double.parseDouble(text);
        } catch (NumberFormatException e) {
            fail("'" + text + "' parsed to " + fast + " but the JDK refuses it");
            return true;
        }
        assertEquals(Double.doubleToRawLongBits(jdk), Double.doubleToRawLongBits(fast), () -> "'" + text + "': JDK "
                + jdk + ", fast " + fast);
        return true;
    }

    private static boolean sameLong(String text) {
        byte[] bytes = ascii(text);
        long fast = Decimals.parseLong(bytes, 0, bytes.length);
        if (fast == Decimals.NOT_PARSED) {
            return false;
        }
        try {
            assertEquals(Long.parseLong(text), fast, text);
        } catch (NumberFormatException e) {
            fail("'" + text + "' parsed to " + fast + " but the JDK refuses it");
        }
        return true;
    }

    @Test
    void edgeCases() {
        for (String text : EDGES) {
            sameFloat(text);
            sameDouble(text);
            sameLong(text);
        }
        // the common forms are answered here, not passed on
        for (String text : List.of("0", "-0.0", ".5", "5.", "1.2345", "-0.9012", "1e10", "2.5e-3", "16777216",
                "1234567890123456")) {
            assertTrue(sameFloat(text), text);
            assertTrue(sameDouble(text), text);
        }
        // the unusual ones are left to the JDK
        for (String text : List.of("NaN", "Infinity", "0x1p3", "1.5f", " 1.5", "1e-45", "1e39", "16777217",
                "123456789012345678", "1234567890123456789", "１")) {
            assertTrue(!sameFloat(text), text);
        }
        assertTrue(sameLong("-123456789012345678"));
        assertTrue(!sameLong("1234567890123456789"));
    }

    @Test
    void randomDecimalsMatchTheJdk() {
        Random random = new Random(11);
        int answered = 0;
        int total = 400_000;
        for (int n = 0; n < total; n++) {
            StringBuilder text = new StringBuilder();
            switch (random.nextInt(3)) {
                case 0 -> text.append('-');
                case 1 -> text.append(random.nextInt(4) == 0 ? "+" : "");
                default -> { }
            }
            int digits = 1 + random.nextInt(random.nextBoolean() ? 8 : 20);
            int point = random.nextInt(digits + 2) - 1; // -1: none
            for (int i = 0; i < digits; i++) {
                if (i == point) {
                    text.append('.');
                }
                text.append((char) ('0' + (random.nextInt(5) == 0 ? 0 : random.nextInt(10))));
            }
            if (point == digits) {
                text.append('.');
            }
            if (random.nextInt(3) == 0) {
                text.append(random.nextBoolean() ? 'e' : 'E').append(random.nextInt(3) == 0 ? "-" : "")
                        .append(random.nextInt(60) - 15);
            }
            String s = text.toString();
            boolean f = sameFloat(s);
            sameDouble(s);
            answered += f ? 1 : 0;
        }
        assertTrue(answered > total / 2, "the fast path answered only " + answered + " of " + total);
    }

    @Test
    void roundedFloatsAndNearHalfwayCasesMatchTheJdk() {
        Random random = new Random(12);
        int answered = 0;
        for (int n = 0; n < 200_000; n++) {
            float value = Float.intBitsToFloat(random.nextInt());
            if (!Float.isFinite(value)) {
                continue;
            }
            // the value itself, then the midpoint to its neighbour, each cut to 6..18 significant digits both ways
            BigDecimal exact = new BigDecimal(value);
            BigDecimal halfway = exact.add(new BigDecimal(Math.nextUp(value))).divide(BigDecimal.valueOf(2));
            for (BigDecimal target : List.of(exact, halfway)) {
                int precision = 6 + random.nextInt(13);
                RoundingMode mode = random.nextBoolean() ? RoundingMode.UP : RoundingMode.DOWN;
                String text = target.round(new MathContext(precision, mode)).toString();
                answered += sameFloat(text) ? 1 : 0;
                sameDouble(text);
            }
            String shortest = Float.toString(value);
            answered += sameFloat(shortest) ? 1 : 0;
        }
        // midpoints written short enough for the fast path: 2^24 + 1 and the like
        for (long m = (1L << 24) + 1; m < (1L << 24) + 200_000; m += 2) {
            sameFloat(Long.toString(m));
        }
        assertTrue(answered > 100_000, "the fast path answered only " + answered);
    }

    @Test
    void aFieldInsideARowIsReadWithinItsBoundsOnly() {
        // four digits at a time: the digits just before and after a field (its row's neighbours) must not be read
        Random random = new Random(14);
        for (int n = 0; n < 100_000; n++) {
            int before = random.nextInt(5);
            int after = random.nextInt(5);
            StringBuilder text = new StringBuilder(random.nextBoolean() ? "-" : "");
            text.append(random.nextInt(1000));
            if (random.nextInt(4) != 0) {
                text.append('.');
                for (int d = random.nextInt(19); d > 0; d--) {
                    text.append((char) ('0' + random.nextInt(10)));
                }
            }
            String field = text.toString();
            byte[] row = ascii("7".repeat(before) + field + "8".repeat(after));
            byte[] alone = ascii(field);
            float expected = Decimals.parseFloat(alone, 0, alone.length);
            float inRow = Decimals.parseFloat(row, before, before + alone.length);
            assertEquals(Float.floatToRawIntBits(expected), Float.floatToRawIntBits(inRow), field);
            assertEquals(Double.doubleToRawLongBits(Decimals.parseDouble(alone, 0, alone.length)),
                    Double.doubleToRawLongBits(Decimals.parseDouble(row, before, before + alone.length)), field);
            sameFloat(field);
            sameDouble(field);
        }
        // the four bytes at a time stop at a byte that is no digit, on either side of '0'..'9'
        for (String text : List.of("1.234/", "1.234:", "1.23/4", "1.2:34", "1.2345 ", "0.0000", "-9.9999", "1.1234567")) {
            sameFloat(text);
            sameDouble(text);
        }
    }

    @Test
    void randomIntegersMatchTheJdk() {
        Random random = new Random(13);
        for (int n = 0; n < 100_000; n++) {
            long value = random.nextLong() >> random.nextInt(64);
            String text = (random.nextInt(10) == 0 && value >= 0 ? "+" : "") + value;
            sameLong(text);
        }
    }
}
