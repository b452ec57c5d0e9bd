package dev.turnout.delivery;

/** What one analysis decided (the rollout_decision table's CHECK names the same). */
public enum Verdict {
    /** Not enough requests or time yet in this step. */
    WAIT,
    /** Paused: the step's figures pass, the weight stays. */
    HOLD,
    /** The step passed: on to the next weight. */
    STEP,
    /** The last step passed: the candidate becomes the active version. */
    PROMOTE,
    /** A threshold was breached: weight 0 at once. */
    ABORT
}
