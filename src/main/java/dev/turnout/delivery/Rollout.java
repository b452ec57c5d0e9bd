package dev.turnout.delivery;

import java.time.Duration;
import java.time.Instant;
import java.util.List;

/**
 * A rollout as stored (one row of {@code rollout}), with its model's name and active version at the time it was read.
 *
 * @param step    index into {@code steps} (canary)
 * @param inStep  how long the current step has run, by the database's clock (one clock for every replica)
 */
public record Rollout(long id, long modelId, String model, int version, int baselineVersion, Strategy strategy,
                      RolloutState state, List<Integer> steps, int step, int weight, Duration stepDuration,
                      Double sample, Duration duration, AnalysisThresholds analysis, List<String> requirements,
                      boolean forced, String actor, String reason, Instant startedAt, Instant endedAt, String outcome,
                      Integer activeVersion, Duration inStep) {

    public boolean lastStep() {
        return step >= steps.size() - 1;
    }

    /** Whether the model's active version is still the one the rollout started against. */
    public boolean baselineActive() {
        return activeVersion != null && activeVersion == baselineVersion;
    }
}
