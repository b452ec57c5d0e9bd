package dev.turnout.registry;

import dev.turnout.error.TurnoutException;

import java.util.Map;
import java.util.regex.Pattern;

/** Every rule a registry client can hit, stated once. The database enforces the same ones as constraints. */
public final class RegistryRules {

    public static final String MODEL_NAME_PATTERN = "[a-z0-9][a-z0-9._-]{0,62}";
    /** Characters in a metric or tag name. */
    public static final int MAX_KEY_LENGTH = 128;
    public static final String KEY_PATTERN = "[A-Za-z0-9_][A-Za-z0-9_.:/ -]{0," + (MAX_KEY_LENGTH - 1) + "}";
    public static final int MAX_TAG_VALUE_LENGTH = 5000;
    public static final int MAX_DESCRIPTION_LENGTH = 10_000;
    public static final int MAX_ENTRIES = 256;
    /** Metrics under this prefix come from evaluations only (EvaluationMetrics); clients may not send them. */
    public static final String EVALUATION_PREFIX = "eval.";

    private static final Pattern MODEL_NAME = Pattern.compile(MODEL_NAME_PATTERN);
    private static final Pattern KEY = Pattern.compile(KEY_PATTERN);

    private RegistryRules() {
    }

    public static String checkModelName(String name) {
        if (name == null || !MODEL_NAME.matcher(name).matches()) {
            throw TurnoutException.invalid("invalid model name '" + printable(name) + "': names must match "
                    + MODEL_NAME_PATTERN + " (lower-case letters, digits, '.', '_', '-'; at most 63 characters)");
        }
        return name;
    }

    public static int checkVersionNumber(String version) {
        // ASCII digits, no sign, no leading zero: one spelling per version ("+1", "007", "١" are not version 1)
        if (version != null && version.matches("[1-9][0-9]{0,9}")) {
            long number = Long.parseLong(version);
            if (number <= Integer.MAX_VALUE) {
                return (int) number;
            }
        }
        throw TurnoutException.invalid("invalid version '" + printable(version) + "': versions are whole numbers from 1");
    }

    public static void checkMetrics(Map<String, Double> metrics, boolean allowRemoval) {
        checkKeys("metric", metrics);
        for (String name : metrics.keySet()) {
            if (name.startsWith(EVALUATION_PREFIX)) {
                throw TurnoutException.invalid("metric '" + printable(name) + "': names starting with '"
                        + EVALUATION_PREFIX + "' are written by evaluations only (POST .../evaluations)");
            }
        }
        metrics.forEach((name, value) -> {
            if (value == null ? !allowRemoval : !Double.isFinite(value)) {
                throw TurnoutException.invalid("metric '" + name + "' must be a finite number"
                        + (allowRemoval ? " (or null to remove it)" : ""));
            }
        });
    }

    public static void checkTags(Map<String, String> tags, boolean allowRemoval) {
        checkKeys("tag", tags);
        tags.forEach((name, value) -> {
            if (value == null && !allowRemoval) {
                throw TurnoutException.invalid("tag '" + name + "' must be a string");
            }
            if (value != null && value.length() > MAX_TAG_VALUE_LENGTH) {
                throw TurnoutException.invalid("tag '" + name + "' is longer than " + MAX_TAG_VALUE_LENGTH + " characters");
            }
            checkStorable("tag '" + name + "'", value);
        });
    }

    public static void checkDescription(String description) {
        if (description != null && description.length() > MAX_DESCRIPTION_LENGTH) {
            throw TurnoutException.invalid("description is longer than " + MAX_DESCRIPTION_LENGTH + " characters");
        }
        checkStorable("description", description);
    }

    /**
     * Text PostgreSQL stores as given: without U+0000, which text and jsonb cannot hold (the insert failed: a 500),
     * and without half of a surrogate pair (JSON's "\\ud800"), which UTF-8 cannot encode (the driver wrote '?'
     * instead, silently). Refused with what is wrong; any other character is stored as given.
     */
    public static void checkStorable(String what, String text) {
        if (text == null) {
            return;
        }
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == 0) {
                throw TurnoutException.invalid(what + " holds the character U+0000 (NUL), which cannot be stored; "
                        + "text may hold any other character");
            }
            if (Character.isHighSurrogate(c) && i + 1 < text.length() && Character.isLowSurrogate(text.charAt(i + 1))) {
                i++; // a pair: one character outside the basic plane, such as an emoji
            } else if (Character.isSurrogate(c)) {
                throw TurnoutException.invalid(what + " holds an unpaired surrogate (U+" + Integer.toHexString(c)
                        .toUpperCase() + "), which is half of a character and cannot be stored as UTF-8; send whole "
                        + "characters");
            }
        }
    }

    private static void checkKeys(String what, Map<String, ?> entries) {
        if (entries.size() > MAX_ENTRIES) {
            throw TurnoutException.invalid("at most " + MAX_ENTRIES + " " + what + "s per request");
        }
        for (String key : entries.keySet()) {
            if (!KEY.matcher(key).matches()) {
                throw TurnoutException.invalid("invalid " + what + " name '" + printable(key) + "': names must match "
                        + KEY_PATTERN);
            }
        }
    }

    /** Echoes client input safely: bounded, control characters replaced. */
    public static String printable(String value) {
        if (value == null) {
            return "";
        }
        String cut = value.length() > 80 ? value.substring(0, 80) + "…" : value;
        // control and format characters, and Unicode line and paragraph separators (NEL, LS, PS, bidi overrides)
        return cut.replaceAll("[\\p{Cc}\\p{Cf}\\p{Zl}\\p{Zp}]", "?");
    }
}
