package dev.turnout.delivery;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;

import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * A rollout as the API shows it. {@code step} counts from 1; {@code figures} (candidate, active) cover the current step
 * over every replica; {@code decisions} are the newest analyses, newest first.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record RolloutView(long id, String model, int version,
                          @JsonProperty("active_version") int activeVersion, Strategy strategy, RolloutState state,
                          Integer step, List<Integer> steps, int weight,
                          @JsonProperty("step_duration_ms") Long stepDurationMs, Double sample,
                          @JsonProperty("duration_ms") Long durationMs, AnalysisThresholds analysis,
                          List<String> require, boolean force, String actor, String reason,
                          @JsonProperty("started_at") Instant startedAt, @JsonProperty("ended_at") Instant endedAt,
                          String outcome, Map<String, Object> figures, List<RolloutStore.Decision> decisions) {

    static RolloutView of(Rollout r, Map<String, Object> figures, List<RolloutStore.Decision> decisions) {
        return new RolloutView(r.id(), r.model(), r.version(), r.baselineVersion(), r.strategy(), r.state(),
                r.strategy() == Strategy.CANARY ? r.step() + 1 : null, r.steps(), r.weight(),
                r.stepDuration() == null ? null : r.stepDuration().toMillis(), r.sample(),
                r.duration() == null ? null : r.duration().toMillis(), r.analysis(), r.requirements(), r.forced(),
                r.actor(), r.reason(), r.startedAt(), r.endedAt(), r.outcome(), figures, decisions);
    }
}
