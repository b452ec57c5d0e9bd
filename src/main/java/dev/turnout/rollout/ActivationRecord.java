package dev.turnout.rollout;

import java.time.Instant;

/** An activation as the API shows it; {@code version} is null for a deactivation. */
public record ActivationRecord(Integer version, Integer previousVersion, String kind, String actor, String reason,
                               boolean forced, Instant createdAt) {

    public static final String ACTIVATE = "activate";
    public static final String ROLLBACK = "rollback";
    public static final String DEACTIVATE = "deactivate";
}
