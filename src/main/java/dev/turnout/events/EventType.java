package dev.turnout.events;

import com.fasterxml.jackson.annotation.JsonValue;

import java.util.Arrays;
import java.util.Optional;

/** What changed. The wire name is what webhooks receive in {@code type} and {@code X-Turnout-Event}. */
public enum EventType {
    VERSION_CREATED("version.created"),
    /** Metrics, tags or description of a version changed (the artifact never does). */
    VERSION_CHANGED("version.changed"),
    VERSION_DELETED("version.deleted"),
    /** A flip: the active-version pointer moved to the version named. */
    MODEL_ACTIVATED("model.activated"),
    MODEL_ROLLED_BACK("model.rolled_back"),
    /** The model was taken out of service: no active version. */
    MODEL_DEACTIVATED("model.deactivated"),
    MODEL_DELETED("model.deleted");

    private final String wireName;

    EventType(String wireName) {
        this.wireName = wireName;
    }

    @JsonValue
    public String wireName() {
        return wireName;
    }

    public static Optional<EventType> parse(String name) {
        return Arrays.stream(values()).filter(type -> type.wireName.equals(name)).findFirst();
    }
}
