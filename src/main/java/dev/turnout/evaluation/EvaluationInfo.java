package dev.turnout.evaluation;

import com.fasterxml.jackson.databind.JsonNode;

import java.time.Instant;

/** An evaluation as the API shows it. */
public record EvaluationInfo(long id, String model, int version, String dataset, int datasetVersion,
                             String datasetSha256, Task task, EvaluationState state, Progress progress,
                             JsonNode settings, JsonNode results, String error, String actor, Instant createdAt,
                             Instant startedAt, Instant finishedAt, int attempts) {

    /** Rows read so far out of the dataset version's rows. */
    public record Progress(long rowsDone, long rowsTotal) {
    }
}
