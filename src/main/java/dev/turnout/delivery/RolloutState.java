package dev.turnout.delivery;

/** A rollout's lifecycle (the rollout table's CHECK names the same states). */
public enum RolloutState {
    /** The candidate takes its weight; analyses may step, promote or abort it. */
    RUNNING,
    /** Weight held, no steps; a breach still aborts it. */
    PAUSED,
    /** The candidate became the active version. */
    PROMOTED,
    /** Ended without promotion: the candidate takes no traffic. */
    ABORTED;

    /** Whether the rollout is still in progress (one per model at a time). */
    public boolean inProgress() {
        return this == RUNNING || this == PAUSED;
    }
}
