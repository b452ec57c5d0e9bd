package dev.turnout.serving;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The last failed load of each model's target on this replica, and when to try it again: the retry interval doubles
 * with every attempt, up to five minutes.
 */
final class LoadFailures {

    private static final Duration MAX_BACKOFF = Duration.ofMinutes(5);

    /** A failed load of a model's target version; retried after {@code nextAttempt}. */
    record LoadFailure(int version, String error, int attempts, Instant nextAttempt) {
    }

    private final Duration firstBackoff;
    private final Map<String, LoadFailure> failures = new ConcurrentHashMap<>();

    LoadFailures(Duration firstBackoff) {
        this.firstBackoff = firstBackoff;
    }

    /** Records one more failed attempt at {@code version} and returns it, with the time of the next attempt. */
    LoadFailure record(String model, int version, String error, Instant now) {
        LoadFailure previous = failures.get(model);
        int attempts = previous != null && previous.version() == version ? previous.attempts() + 1 : 1;
        Duration backoff = firstBackoff.multipliedBy(1L << Math.min(attempts - 1, 10));
        backoff = backoff.compareTo(MAX_BACKOFF) > 0 ? MAX_BACKOFF : backoff;
        LoadFailure failure = new LoadFailure(version, error, attempts, now.plus(backoff));
        failures.put(model, failure);
        return failure;
    }

    /** Whether {@code version} failed recently and its backoff has not run out. */
    boolean backingOff(String model, int version, Instant now) {
        LoadFailure failure = failures.get(model);
        return failure != null && failure.version() == version && now.isBefore(failure.nextAttempt());
    }

    Optional<LoadFailure> of(String model) {
        return Optional.ofNullable(failures.get(model));
    }

    void clear(String model) {
        failures.remove(model);
    }

    Map<String, LoadFailure> all() {
        return Map.copyOf(failures);
    }
}
