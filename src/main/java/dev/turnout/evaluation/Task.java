package dev.turnout.evaluation;

import com.fasterxml.jackson.annotation.JsonValue;

import java.util.Arrays;
import java.util.Locale;
import java.util.Optional;

/** What an evaluation measures: class predictions against class ids, or values against numbers. */
public enum Task {
    CLASSIFICATION,
    REGRESSION;

    public static final String ACCEPTED = "classification, regression";

    public static Optional<Task> parse(String text) {
        return Arrays.stream(values()).filter(t -> t.json().equals(text)).findFirst();
    }

    @JsonValue
    public String json() {
        return name().toLowerCase(Locale.ROOT);
    }
}
