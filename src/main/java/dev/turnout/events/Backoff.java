package dev.turnout.events;

import java.time.Duration;
import java.util.Optional;

/** When a failed delivery is tried again: doubling from the initial wait up to the maximum, for a bounded number. */
public record Backoff(int maxAttempts, Duration initial, Duration max) {

    /** The wait after failed attempt number {@code attempt} (1 for the first); empty when it was the last. */
    public Optional<Duration> after(int attempt) {
        if (attempt >= maxAttempts) {
            return Optional.empty();
        }
        Duration wait = initial;
        for (int i = 1; i < attempt && wait.compareTo(max) < 0; i++) {
            wait = wait.multipliedBy(2);
        }
        return Optional.of(wait.compareTo(max) > 0 ? max : wait);
    }
}
