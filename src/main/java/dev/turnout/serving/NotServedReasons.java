package dev.turnout.serving;

import dev.turnout.error.ErrorCode;
import dev.turnout.error.TurnoutException;
import dev.turnout.registry.RegistryService;
import dev.turnout.registry.ServingTarget;

import java.time.Duration;
import java.util.Optional;

/**
 * Why this replica does not serve a model it was asked for: its target failed to load (503), it is still loading
 * (503: retry soon), or the model does not exist or has no active version (404, remembered for a moment so a client
 * repeating a wrong name does not cost a database query per request).
 */
final class NotServedReasons {

    private final RegistryService registry;
    private final RecentNotFound recentNotFound = new RecentNotFound(Duration.ofSeconds(2), 10_000);

    NotServedReasons(RegistryService registry) {
        this.registry = registry;
    }

    TurnoutException explain(String name, Optional<LoadFailures.LoadFailure> failure, boolean startupDone) {
        if (failure.isPresent()) {
            return new TurnoutException(ErrorCode.UNAVAILABLE, "model '" + name + "' version "
                    + failure.get().version() + " failed to load: " + failure.get().error());
        }
        if (!startupDone) {
            return new TurnoutException(ErrorCode.UNAVAILABLE, "this replica is still loading its models; retry");
        }
        String message = recentNotFound.get(name).orElse(null);
        if (message != null) {
            return TurnoutException.notFound(message);
        }
        ServingTarget target;
        try {
            target = registry.target(name);
        } catch (TurnoutException e) {
            if (e.code() == ErrorCode.NOT_FOUND) {
                recentNotFound.remember(name, e.getMessage());
            }
            return e; // or the database is unreachable: 503, and nothing remembered
        }
        if (target.version().isPresent()) { // activated, and not in memory here yet
            return new TurnoutException(ErrorCode.UNAVAILABLE, "model '" + name + "' version "
                    + target.version().get().version() + " is being loaded on this replica; retry shortly");
        }
        message = "model '" + name + "' has no active version; set one with PUT /api/models/" + name + "/active";
        recentNotFound.remember(name, message);
        return TurnoutException.notFound(message);
    }

    /** The model's target changed: what was true of it may not be any more. */
    void forget(String name) {
        recentNotFound.forget(name);
    }
}
