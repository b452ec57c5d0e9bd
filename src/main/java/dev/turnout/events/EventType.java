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
    MODEL_DELETED("model.deleted"),
    /** A rollout (canary or shadow) of a candidate version began. */
    ROLLOUT_STARTED("rollout.started"),
    /** A canary passed a step: the candidate's weight grew. */
    ROLLOUT_STEP("rollout.step"),
    ROLLOUT_PAUSED("rollout.paused"),
    ROLLOUT_RESUMED("rollout.resumed"),
    /** The candidate became the active version (a flip, also announced as model.activated). */
    ROLLOUT_PROMOTED("rollout.promoted"),
    /** The rollout ended without promotion: a breach, an operator, or a flip that superseded it. */
    ROLLOUT_ABORTED("rollout.aborted");

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
