package dev.turnout.http;

import com.fasterxml.jackson.databind.JsonNode;
import dev.turnout.error.TurnoutException;

/**
 * The management JSON's integer fields (a version number, a dataset version, a signature's dimensions): any JSON number
 * whose value is a whole number, as JSON Schema's "integer" and protobuf's JSON mapping (MLflow's API) read one, so a
 * client holding numbers as floats (pandas, numpy) may send 2.0 or 2e0 for 2; a fraction (2.5, 1e-1) is refused.
 */
public final class JsonIntegers {

    private JsonIntegers() {
    }

    /** True when {@code node} is a whole number that fits an int and is at least 1. */
    public static boolean isPositiveInt(JsonNode node) {
        return node != null && node.isNumber() && node.canConvertToExactIntegral() && node.canConvertToInt()
                && node.intValue() >= 1;
    }

    /** True when {@code node} is a whole number that fits a long. */
    public static boolean isLong(JsonNode node) {
        return node != null && node.isNumber() && node.canConvertToExactIntegral() && node.canConvertToLong();
    }

    /** The value of {@code field}, a whole number from 1; else a 400 naming the field ({@code what} explains it). */
    public static int positiveInt(JsonNode request, String field, String what) {
        JsonNode node = request.get(field);
        if (!isPositiveInt(node)) {
            throw TurnoutException.invalid(mustBe(field) + what);
        }
        return node.intValue();
    }

    /** "'field' must be a whole number from 1, ...": the start of the refusal of {@code field}. */
    private static String mustBe(String field) {
        return "'" + field + "' must be a whole number from 1 (2 or 2.0, not 2.5)";
    }
}
