package dev.turnout.delivery;

import com.fasterxml.jackson.annotation.JsonValue;

import java.util.Arrays;
import java.util.Optional;

/** How a candidate is tried: a share of live traffic (canary) or a mirrored sample whose answers are discarded. */
public enum Strategy {
    CANARY,
    SHADOW;

    @JsonValue
    public String wireName() {
        return name().toLowerCase();
    }

    public static Optional<Strategy> parse(String name) {
        return Arrays.stream(values()).filter(s -> s.wireName().equals(name)).findFirst();
    }
}
