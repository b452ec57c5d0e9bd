package dev.turnout.delivery;

import dev.turnout.rollout.MetricRequirement;

import java.time.Duration;
import java.util.List;

/**
 * A validated request to start a rollout of {@code version} against the active version.
 *
 * @param steps        canary weights in percent, increasing, each 1..99 (empty for a shadow)
 * @param stepDuration canary: how long each step runs at least
 * @param sample       shadow: the share of requests mirrored to the candidate, in (0, 1]
 * @param duration     shadow: how long it runs
 */
public record RolloutPlan(int version, Strategy strategy, List<Integer> steps, Duration stepDuration, Double sample,
                          Duration duration, AnalysisThresholds analysis, String reason,
                          List<MetricRequirement> require, boolean force, String actor) {
}
