package dev.turnout.rollout;

import dev.turnout.registry.RegistryService;
import dev.turnout.serving.ModelServer;
import dev.turnout.serving.ServingEvent;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.jboss.logging.Logger;

import java.time.Duration;
import java.time.Instant;
import java.util.List;

/**
 * A flip end to end: the pointer moves in one transaction (the database notifies every replica), this replica loads
 * the new version at once, and the caller may wait until every live replica serves it.
 */
@ApplicationScoped
public class ActivationService {

    private static final Logger LOG = Logger.getLogger(ActivationService.class);
    private static final long POLL_MILLIS = 50;
    private static final String FLIPS = "turnout.flips";

    private final RolloutService rollout;
    private final RegistryService registry;
    private final ModelServer server;
    private final ReplicaTracker replicas;
    private final MeterRegistry meters;

    public ActivationService(RolloutService rollout, RegistryService registry, ModelServer server,
                             ReplicaTracker replicas, MeterRegistry meters) {
        this.meters = meters;
        this.rollout = rollout;
        this.registry = registry;
        this.server = server;
        this.replicas = replicas;
    }

    /** The outcome of a flip: {@code converged} when every live replica serves the new version. */
    public record Outcome(ModelStatus status, boolean converged) {
    }

    public Outcome flip(String name, FlipRequest request, Duration wait) {
        ActivationRecord activation = rollout.flip(name, request);
        LOG.infof("%s flipped %s to version %d (was %s)%s", activation.actor(), name, activation.version(),
                activation.previousVersion(), activation.reason() == null ? "" : ": " + loggable(activation.reason()));
        return afterCommit(name, activation, wait);
    }

    public Outcome rollback(String name, String actor, String reason, Duration wait) {
        ActivationRecord activation = rollout.rollback(name, actor, reason);
        LOG.infof("%s rolled %s back to version %d (from %s)", actor, name, activation.version(),
                activation.previousVersion());
        return afterCommit(name, activation, wait);
    }

    public Outcome deactivate(String name, String actor, String reason, Duration wait) {
        ActivationRecord activation = rollout.deactivate(name, actor, reason);
        LOG.infof("%s deactivated %s (was serving version %d)", actor, name, activation.previousVersion());
        return afterCommit(name, activation, wait);
    }

    /**
     * A caller's text made safe for one log line: control characters (line breaks, escape sequences) are written as
     * escapes, so a reason cannot forge a log line of its own or repaint the terminal.
     */
    static String loggable(String text) {
        StringBuilder safe = new StringBuilder(text.length());
        text.codePoints().forEach(c -> {
            if (c == '\n') {
                safe.append("\\n");
            } else if (c == '\r') {
                safe.append("\\r");
            } else if (Character.isISOControl(c) || c == 0x2028 || c == 0x2029) {
                safe.append(String.format("\\u%04x", c));
            } else {
                safe.appendCodePoint(c);
            }
        });
        return safe.toString();
    }

    public ModelStatus status(String name) {
        return new ModelStatus(registry.getModel(name), replicas.states(name), null);
    }

    /** Every kind of flip of a model this replica serves is counted from zero, so an alert sees the first one. */
    void meterFlips(@Observes ServingEvent event) {
        for (String kind : List.of(ActivationRecord.ACTIVATE, ActivationRecord.ROLLBACK, ActivationRecord.DEACTIVATE)) {
            meters.counter(FLIPS, "model", event.model(), "kind", kind);
        }
    }

    private Outcome afterCommit(String name, ActivationRecord activation, Duration wait) {
        meters.counter(FLIPS, "model", name, "kind", activation.kind()).increment();
        server.refresh(name, true); // this replica loads now; the others were notified by the commit
        Instant deadline = Instant.now().plus(wait);
        while (true) {
            List<ReplicaState> states = replicas.states(name);
            Integer version = activation.version(); // null: deactivated, converged once no replica serves the model
            boolean converged = !states.isEmpty() && states.stream().allMatch(s -> s.reached(version));
            boolean settled = states.stream().allMatch(s -> s.reached(version) || s.failed(version));
            if (converged || settled || !Instant.now().isBefore(deadline)) {
                return new Outcome(new ModelStatus(registry.getModel(name), states, activation), converged);
            }
            try {
                Thread.sleep(POLL_MILLIS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return new Outcome(new ModelStatus(registry.getModel(name), states, activation), false);
            }
        }
    }
}
