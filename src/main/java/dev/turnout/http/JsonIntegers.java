package dev.turnout.http;

import com.fasterxml.jackson.databind.JsonNode;
import dev.turnout.error.TurnoutException;

/**
 * The management JSON's integer fields (a version number, a dataset version, a signature's dimensions) take an integer literal only: 1.0 and
 * 1e0 are other numbers, which Jackson's canConvertToExactIntegral() accepted as 1.
 */
public final class JsonIntegers {

    private JsonIntegers() {
    }

    /** True when {@code node} is an integer literal that fits an int and is at least 1. */
    public static boolean isPositiveInt(JsonNode node) {
        return node != null && node.isIntegralNumber() && node.canConvertToInt() && node.intValue() >= 1;
    }

    /** True when {@code node} is an integer literal that fits a long. */
    public static boolean isLong(JsonNode node) {
        return node != null && node.isIntegralNumber() && node.canConvertToLong();
    }

    /** The value of {@code field}, an integer literal from 1; else a 400 naming the field ({@code what} explains it). */
    public static int positiveInt(JsonNode request, String field, String what) {
        JsonNode node = request.get(field);
        if (!isPositiveInt(node)) {
            throw TurnoutException.invalid(mustBe(field) + what);
        }
        return node.intValue();
    }

    /** "'field' must be a whole number from 1, ...": the start of the refusal of {@code field}. */
    public static String mustBe(String field) {
        return "'" + field + "' must be a whole number from 1, written as an integer (2, not 2.0 or 2e0)";
    }
}
