package dev.turnout.registry;

import dev.turnout.error.ErrorCode;
import dev.turnout.error.TurnoutException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** The registry's client-facing rules at their boundaries, and what their refusals say. */
class RegistryRulesTest {

    @Test
    void modelNamesUpTo63LowerCaseCharacters() {
        for (String name : new String[] {"a", "0", "linear", "fraud.v2_eu-west", "9" + "x".repeat(62)}) {
            assertEquals(name, RegistryRules.checkModelName(name));
        }
        for (String name : new String[] {"", "x".repeat(64), "Linear", "-lead", ".lead", "_lead", "has space", "a/b",
                "a%2Fb", "ünïcode", "a\n", null}) {
            refused(() -> RegistryRules.checkModelName(name));
        }
    }

    @Test
    void aRefusedNameIsEchoedSafelyWithTheRule() {
        assertEquals("invalid model name 'Bad?Name': names must match [a-z0-9][a-z0-9._-]{0,62} (lower-case letters, "
                        + "digits, '.', '_', '-'; at most 63 characters)",
                refused(() -> RegistryRules.checkModelName("Bad\u0000Name")));
        assertEquals("invalid model name '': names must match " + RegistryRules.MODEL_NAME_PATTERN
                + " (lower-case letters, digits, '.', '_', '-'; at most 63 characters)",
                refused(() -> RegistryRules.checkModelName(null)));
    }

    @Test
    void versionsAreWholeNumbersFromOne() {
        assertEquals(1, RegistryRules.checkVersionNumber("1"));
        assertEquals(Integer.MAX_VALUE, RegistryRules.checkVersionNumber("2147483647"));
        for (String version : new String[] {"0", "-1", "2147483648", "1.0", "1e3", "one", "", " 1", "latest", null}) {
            assertEquals("invalid version '" + RegistryRules.printable(version)
                    + "': versions are whole numbers from 1", refused(() -> RegistryRules.checkVersionNumber(version)));
        }
    }

    @Test
    void metricsMustBeFiniteAndMayBeRemovedOnlyWhenEditing() {
        assertDoesNotThrow(() -> RegistryRules.checkMetrics(Map.of("accuracy", 0.9, "loss", -Double.MAX_VALUE), false));
        assertEquals("metric 'x' must be a finite number",
                refused(() -> RegistryRules.checkMetrics(Map.of("x", Double.NaN), false)));
        assertEquals("metric 'x' must be a finite number (or null to remove it)",
                refused(() -> RegistryRules.checkMetrics(Map.of("x", Double.POSITIVE_INFINITY), true)));
        refused(() -> RegistryRules.checkMetrics(Map.of("x", Double.NEGATIVE_INFINITY), false));

        Map<String, Double> removal = new HashMap<>();
        removal.put("x", null);
        assertEquals("metric 'x' must be a finite number", refused(() -> RegistryRules.checkMetrics(removal, false)));
        assertDoesNotThrow(() -> RegistryRules.checkMetrics(removal, true));
    }

    @Test
    void tagValuesUpTo5000CharactersAndNullOnlyWhenEditing() {
        assertDoesNotThrow(() -> RegistryRules.checkTags(Map.of("team", "x".repeat(5000), "empty", ""), false));
        assertEquals("tag 'team' is longer than 5000 characters",
                refused(() -> RegistryRules.checkTags(Map.of("team", "x".repeat(5001)), true)));

        Map<String, String> removal = new HashMap<>();
        removal.put("team", null);
        assertEquals("tag 'team' must be a string", refused(() -> RegistryRules.checkTags(removal, false)));
        assertDoesNotThrow(() -> RegistryRules.checkTags(removal, true));
    }

    @Test
    void metricAndTagNamesUpTo128CharactersWithSpacesInside() {
        for (String key : new String[] {"a", "_x", "top 1 accuracy", "eval/f1:macro", "a-b.c", "k".repeat(128)}) {
            assertDoesNotThrow(() -> RegistryRules.checkMetrics(Map.of(key, 1.0), false), key);
            assertDoesNotThrow(() -> RegistryRules.checkTags(Map.of(key, "v"), false), key);
        }
        for (String key : new String[] {"", " lead", "-lead", ".lead", "k".repeat(129), "a\tb", "a=b", "ä"}) {
            refused(() -> RegistryRules.checkMetrics(Map.of(key, 1.0), false));
            refused(() -> RegistryRules.checkTags(Map.of(key, "v"), false));
        }
        assertEquals("invalid tag name 'a?b': names must match " + RegistryRules.KEY_PATTERN,
                refused(() -> RegistryRules.checkTags(Map.of("a\nb", "v"), false)));
    }

    @Test
    void atMost256EntriesPerRequest() {
        assertDoesNotThrow(() -> RegistryRules.checkMetrics(entries(256, 1.0), false));
        assertEquals("at most 256 metrics per request",
                refused(() -> RegistryRules.checkMetrics(entries(257, 1.0), false)));
        assertDoesNotThrow(() -> RegistryRules.checkTags(entries(256, "v"), false));
        assertEquals("at most 256 tags per request", refused(() -> RegistryRules.checkTags(entries(257, "v"), false)));
    }

    @Test
    void descriptionsUpTo10000Characters() {
        assertDoesNotThrow(() -> RegistryRules.checkDescription(null));
        assertDoesNotThrow(() -> RegistryRules.checkDescription("d".repeat(10_000)));
        assertEquals("description is longer than 10000 characters",
                refused(() -> RegistryRules.checkDescription("d".repeat(10_001))));
    }

    @Test
    void printableBoundsAndDefusesClientInput() {
        assertEquals("", RegistryRules.printable(null));
        assertEquals("x".repeat(80), RegistryRules.printable("x".repeat(80)));
        assertEquals("x".repeat(80) + "…", RegistryRules.printable("x".repeat(81)));
        assertEquals("a?b?c?d?", RegistryRules.printable("a\nb\rc\u001bd\u007f"));
    }

    private static <V> Map<String, V> entries(int count, V value) {
        Map<String, V> entries = new LinkedHashMap<>();
        for (int i = 0; i < count; i++) {
            entries.put("key" + i, value);
        }
        return entries;
    }

    /** Runs a check that must refuse, and returns its message. */
    private static String refused(Executable check) {
        TurnoutException e = assertThrows(TurnoutException.class, check);
        assertEquals(ErrorCode.INVALID_ARGUMENT, e.code());
        return e.getMessage();
    }

    @Test
    void aVersionIsWrittenInPlainAsciiDigits() {
        for (String spelling : new String[] {"+1", "007", "\u0661", "1 ", "0x1"}) {
            TurnoutException e = assertThrows(TurnoutException.class, () -> RegistryRules.checkVersionNumber(spelling),
                    spelling);
            assertEquals(ErrorCode.INVALID_ARGUMENT, e.code());
        }
        assertEquals(2147483647, RegistryRules.checkVersionNumber("2147483647"));
    }

    @Test
    void printableDefusesUnicodeLineBreaksAndBidiControls() {
        assertEquals("a?b?c?d", RegistryRules.printable("a\u0085b\u2028c\u202Ed"));
    }
}
