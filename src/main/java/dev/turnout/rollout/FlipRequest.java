package dev.turnout.rollout;

import java.util.List;

/**
 * A request to move the active version.
 *
 * @param force skip the signature-compatibility guard
 * @param require metric guards the version must meet (added to any configured for the model)
 */
public record FlipRequest(int version, String reason, boolean force, List<MetricRequirement> require, String actor) {

    /** The longest reason a flip, rollback or deactivation may record (the API and the console check it). */
    public static final int MAX_REASON_LENGTH = 1000;
}
