package dev.turnout.serving.rest;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import dev.turnout.engine.DataType;
import dev.turnout.engine.Float16;
import dev.turnout.error.TurnoutException;

import java.io.IOException;

/** Writes JSON leaves into a typed array, refusing values of the wrong kind. */
abstract class ElementFiller {
    final String where;
    final int capacity;
    int size;

    ElementFiller(String where, int capacity) {
        this.where = where;
        this.capacity = capacity;
    }

    static ElementFiller of(DataType type, int capacity, String where) {
        return switch (type) {
            case FP32 -> new FloatFiller(where, capacity);
            case FP64 -> new DoubleFiller(where, capacity);
            case INT32 -> new IntFiller(where, capacity);
            case INT64 -> new LongFiller(where, capacity);
            case BOOL -> new BoolFiller(where, capacity);
            case UINT8 -> new ByteFiller(where, capacity, 0, 255, "UINT8");
            case INT8 -> new ByteFiller(where, capacity, Byte.MIN_VALUE, Byte.MAX_VALUE, "INT8");
            case FP16 -> new HalfFiller(where, capacity);
            default -> throw TurnoutException.invalid(where + " is " + type + ", which cannot be served yet; "
                    + "servable datatypes: " + DataType.SERVABLE);
        };
    }

    int size() {
        return size;
    }

    void add(JsonNode value) {
        if (size == capacity) {
            size++; // count the overflow; the caller reports the mismatch
            throw TurnoutException.invalid(where + " has more elements than its shape allows (" + capacity + ")");
        }
        put(value);
        size++;
    }

    /**
     * The streaming fast path: stores the parser's current value if it is one {@link #put} would take as it is;
     * false (nothing stored) for anything else, which the caller then hands to {@link #add(JsonNode)} to be read, or
     * refused with the usual message.
     */
    boolean add(JsonParser parser, JsonToken token) throws IOException {
        if (size == capacity || !put(parser, token)) {
            return false;
        }
        size++;
        return true;
    }

    abstract void put(JsonNode value);

    private static final double[] POWERS_OF_TEN = {1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12,
        1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22};

    /**
     * A decimal token's value as the nearest double, as {@link Double#parseDouble} gives it. Most tensor data (at most
     * 15 significant digits, a small exponent) is read from the token's characters: the digits make an exact long,
     * the power of ten is exact, so one division or multiplication rounds once, correctly (Clinger's fast path).
     * Anything else is left to the parser.
     */
    static double decimal(JsonParser parser) throws IOException {
        char[] text = parser.getTextCharacters();
        int at = parser.getTextOffset();
        int end = at + parser.getTextLength();
        boolean negative = at < end && text[at] == '-';
        if (negative) {
            at++;
        }
        long digits = 0;
        int count = 0;
        int scale = 0;
        boolean fraction = false;
        for (; at < end; at++) {
            char c = text[at];
            if (c >= '0' && c <= '9') {
                if (digits != 0 || c != '0') {
                    count++;
                }
                digits = digits * 10 + (c - '0');
                if (fraction) {
                    scale--;
                }
            } else if (c == '.' && !fraction) {
                fraction = true;
            } else {
                break;
            }
        }
        if (at < end) { // an exponent
            if (text[at] != 'e' && text[at] != 'E' || ++at == end) {
                return parser.getDoubleValue();
            }
            boolean down = text[at] == '-';
            if (text[at] == '-' || text[at] == '+') {
                at++;
            }
            int exponent = 0;
            for (; at < end && exponent < 1000; at++) {
                char c = text[at];
                if (c < '0' || c > '9') {
                    return parser.getDoubleValue();
                }
                exponent = exponent * 10 + (c - '0');
            }
            if (at < end) {
                return parser.getDoubleValue();
            }
            scale += down ? -exponent : exponent;
        }
        if (count > 15 || scale < -22 || scale > 22) {
            return parser.getDoubleValue();
        }
        double value = scale < 0 ? digits / POWERS_OF_TEN[-scale] : digits * POWERS_OF_TEN[scale];
        return negative ? -value : value;
    }

    abstract boolean put(JsonParser parser, JsonToken token) throws IOException;

    abstract Object array();

    TurnoutException wrong(JsonNode value, String expected) {
        String shown = value.toString();
        return TurnoutException.invalid(where + " element " + size + " is " + (shown.length() > 40
                ? shown.substring(0, 40) + "…" : shown) + "; expected " + expected);
    }


    static final class FloatFiller extends ElementFiller {
        final float[] data;

        FloatFiller(String where, int capacity) {
            super(where, capacity);
            data = new float[capacity];
        }

        void put(JsonNode value) {
            if (!value.isNumber()) {
                throw wrong(value, "a number (FP32)");
            }
            float number = value.floatValue();
            if (!Float.isFinite(number)) { // a literal beyond FP32's range would silently become an infinity
                throw wrong(value, "a number within FP32's range");
            }
            data[size] = number;
        }

        boolean put(JsonParser parser, JsonToken token) throws IOException {
            // as the tree does: decimals via double (then narrowed), whole numbers from their int or long
            float number;
            if (token == JsonToken.VALUE_NUMBER_FLOAT) {
                number = (float) decimal(parser);
            } else if (token == JsonToken.VALUE_NUMBER_INT && parser.getNumberType() != JsonParser.NumberType.BIG_INTEGER) {
                number = (float) parser.getLongValue();
            } else {
                return false;
            }
            if (!Float.isFinite(number)) {
                return false;
            }
            data[size] = number;
            return true;
        }

        Object array() {
            return data;
        }
    }

    static final class DoubleFiller extends ElementFiller {
        final double[] data;

        DoubleFiller(String where, int capacity) {
            super(where, capacity);
            data = new double[capacity];
        }

        void put(JsonNode value) {
            if (!value.isNumber()) {
                throw wrong(value, "a number (FP64)");
            }
            double number = value.doubleValue();
            if (!Double.isFinite(number)) {
                throw wrong(value, "a number within FP64's range");
            }
            data[size] = number;
        }

        boolean put(JsonParser parser, JsonToken token) throws IOException {
            double number;
            if (token == JsonToken.VALUE_NUMBER_FLOAT) {
                number = decimal(parser);
            } else if (token == JsonToken.VALUE_NUMBER_INT && parser.getNumberType() != JsonParser.NumberType.BIG_INTEGER) {
                number = parser.getLongValue();
            } else {
                return false;
            }
            if (!Double.isFinite(number)) {
                return false;
            }
            data[size] = number;
            return true;
        }

        Object array() {
            return data;
        }
    }

    static final class IntFiller extends ElementFiller {
        final int[] data;

        IntFiller(String where, int capacity) {
            super(where, capacity);
            data = new int[capacity];
        }

        void put(JsonNode value) {
            if (!value.isIntegralNumber() || !value.canConvertToInt()) {
                throw wrong(value, "a whole number within INT32");
            }
            data[size] = value.intValue();
        }

        boolean put(JsonParser parser, JsonToken token) throws IOException {
            if (token != JsonToken.VALUE_NUMBER_INT || parser.getNumberType() != JsonParser.NumberType.INT) {
                return false;
            }
            data[size] = parser.getIntValue();
            return true;
        }

        Object array() {
            return data;
        }
    }

    static final class LongFiller extends ElementFiller {
        final long[] data;

        LongFiller(String where, int capacity) {
            super(where, capacity);
            data = new long[capacity];
        }

        void put(JsonNode value) {
            if (!value.isIntegralNumber() || !value.canConvertToLong()) {
                throw wrong(value, "a whole number within INT64");
            }
            data[size] = value.longValue();
        }

        boolean put(JsonParser parser, JsonToken token) throws IOException {
            if (token != JsonToken.VALUE_NUMBER_INT || parser.getNumberType() == JsonParser.NumberType.BIG_INTEGER) {
                return false;
            }
            data[size] = parser.getLongValue();
            return true;
        }

        Object array() {
            return data;
        }
    }

    /** UINT8 and INT8: one byte each, holding the value's low 8 bits (so 255 is stored as the byte -1). */
    static final class ByteFiller extends ElementFiller {
        final byte[] data;
        final int min;
        final int max;
        final String expected;

        ByteFiller(String where, int capacity, int min, int max, String type) {
            super(where, capacity);
            data = new byte[capacity];
            this.min = min;
            this.max = max;
            expected = "a whole number from " + min + " to " + max + " (" + type + ")";
        }

        void put(JsonNode value) {
            if (!value.isIntegralNumber() || !value.canConvertToInt() || value.intValue() < min
                    || value.intValue() > max) {
                throw wrong(value, expected);
            }
            data[size] = (byte) value.intValue();
        }

        boolean put(JsonParser parser, JsonToken token) throws IOException {
            if (token != JsonToken.VALUE_NUMBER_INT || parser.getNumberType() != JsonParser.NumberType.INT) {
                return false;
            }
            int number = parser.getIntValue();
            if (number < min || number > max) {
                return false;
            }
            data[size] = (byte) number;
            return true;
        }

        Object array() {
            return data;
        }
    }

    /** FP16: any number within ±65504, rounded to the nearest half and held as its bits. */
    static final class HalfFiller extends ElementFiller {
        final short[] data;

        HalfFiller(String where, int capacity) {
            super(where, capacity);
            data = new short[capacity];
        }

        void put(JsonNode value) {
            // the range is checked on the number as sent, before any rounding
            if (!value.isNumber() || !(Math.abs(value.doubleValue()) <= Float16.MAX)) {
                throw wrong(value, "a number within FP16's range (±65504)");
            }
            data[size] = Float16.fromFloat(value.floatValue());
        }

        boolean put(JsonParser parser, JsonToken token) throws IOException {
            double number;
            if (token == JsonToken.VALUE_NUMBER_FLOAT) {
                number = decimal(parser);
            } else if (token == JsonToken.VALUE_NUMBER_INT && parser.getNumberType() == JsonParser.NumberType.INT) {
                number = parser.getIntValue();
            } else {
                return false;
            }
            if (!(Math.abs(number) <= Float16.MAX)) {
                return false;
            }
            data[size] = Float16.fromFloat((float) number);
            return true;
        }

        Object array() {
            return data;
        }
    }

    static final class BoolFiller extends ElementFiller {
        final boolean[] data;

        BoolFiller(String where, int capacity) {
            super(where, capacity);
            data = new boolean[capacity];
        }

        void put(JsonNode value) {
            if (!value.isBoolean()) {
                throw wrong(value, "true or false (BOOL)");
            }
            data[size] = value.booleanValue();
        }

        boolean put(JsonParser parser, JsonToken token) {
            if (token != JsonToken.VALUE_TRUE && token != JsonToken.VALUE_FALSE) {
                return false;
            }
            data[size] = token == JsonToken.VALUE_TRUE;
            return true;
        }

        Object array() {
            return data;
        }
    }
}
