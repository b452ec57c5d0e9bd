package dev.turnout.docs;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Compares an answer with the JSON the README shows for it, structurally: an object needs every key the README shows,
 * with a matching value, and may have more (so the README can leave out digests and timestamps); an array needs the
 * same length and matching elements; numbers match by value ({@code 7} is {@code 7.0}); the string {@code "..."}
 * matches any value that is present.
 */
final class ExpectedJson {

    static final String ANY = "...";
    private static final ObjectMapper MAPPER = new ObjectMapper();

    private ExpectedJson() {
    }

    /** What differs, one line per difference; empty when the answer matches. */
    static List<String> differences(String expected, String actual) {
        JsonNode want;
        try {
            want = MAPPER.readTree(expected);
        } catch (JsonProcessingException e) {
            return List.of("the README's expected output is not JSON: " + e.getOriginalMessage());
        }
        JsonNode got;
        try {
            got = MAPPER.readTree(actual);
        } catch (JsonProcessingException e) {
            return List.of("the answer is not JSON");
        }
        List<String> differences = new ArrayList<>();
        compare(want, got, "$", differences);
        return differences;
    }

    /** Whether the README shows an error answer ({@code {"error": ..., "code": ...}}): then it expects a 4xx. */
    static boolean isError(String expected) {
        try {
            JsonNode node = MAPPER.readTree(expected);
            return node.isObject() && node.has("error") && node.has("code");
        } catch (JsonProcessingException e) {
            return false;
        }
    }

    private static void compare(JsonNode want, JsonNode got, String path, List<String> differences) {
        if (got == null || got.isMissingNode()) {
            differences.add(path + ": missing");
        } else if (want.isTextual() && want.textValue().equals(ANY)) {
            return;
        } else if (want.isObject()) {
            if (!got.isObject()) {
                differences.add(path + ": expected an object, got " + got);
                return;
            }
            for (Map.Entry<String, JsonNode> field : want.properties()) {
                compare(field.getValue(), got.get(field.getKey()), path + "." + field.getKey(), differences);
            }
        } else if (want.isArray()) {
            if (!got.isArray() || got.size() != want.size()) {
                differences.add(path + ": expected " + want + ", got " + got);
                return;
            }
            for (int i = 0; i < want.size(); i++) {
                compare(want.get(i), got.get(i), path + "[" + i + "]", differences);
            }
        } else if (want.isNumber()) {
            if (!got.isNumber() || want.decimalValue().compareTo(got.decimalValue()) != 0) {
                differences.add(path + ": expected " + want + ", got " + got);
            }
        } else if (!want.equals(got)) {
            differences.add(path + ": expected " + want + ", got " + got);
        }
    }
}
