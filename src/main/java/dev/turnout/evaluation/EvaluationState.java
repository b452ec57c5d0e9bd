package dev.turnout.evaluation;

/**
 * The lifecycle of an evaluation: QUEUED until a replica claims it, RUNNING while one holds its lease, then DONE or
 * FAILED. A RUNNING evaluation whose lease expired (its replica died) is claimed again, or FAILED past the attempts.
 */
public enum EvaluationState {
    QUEUED,
    RUNNING,
    DONE,
    FAILED;

    public boolean finished() {
        return this == DONE || this == FAILED;
    }
}
