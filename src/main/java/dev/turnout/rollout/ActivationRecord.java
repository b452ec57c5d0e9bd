package dev.turnout.rollout;

import java.time.Instant;

/** An activation as the API shows it. */
public record ActivationRecord(int version, Integer previousVersion, String kind, String actor, String reason,
                               boolean forced, Instant createdAt) {
}
