package dev.turnout.serving;

import java.time.Duration;
import java.time.Instant;

/**
 * Shares the request-path warm-up's time among its forms (each model's OIP v2, and {@code /predict}): each form may use
 * an equal share of what is left, so a form that warmed early leaves its rest to the others, and the first one never
 * spends the whole timeout and leaves the last cold (on two CPUs the JIT, not the form, decides when a form is warm,
 * and that takes longer than the timeout; bench/README.md "Cold start" run 7).
 */
final class WarmupBudget {

    private final Instant deadline;
    private int formsLeft;

    WarmupBudget(Instant deadline, int forms) {
        this.deadline = deadline;
        this.formsLeft = Math.max(1, forms);
    }

    /** When the form that starts {@code now} must end: its share of the time left, never past the deadline. */
    Instant nextForm(Instant now) {
        Duration left = Duration.between(now, deadline);
        int share = formsLeft;
        formsLeft = Math.max(1, formsLeft - 1);
        return left.isNegative() ? deadline : now.plus(left.dividedBy(share));
    }
}
