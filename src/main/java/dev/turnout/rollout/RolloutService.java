package dev.turnout.rollout;

import dev.turnout.config.TurnoutConfig;
import dev.turnout.db.Sql;
import dev.turnout.error.TurnoutException;
import dev.turnout.events.Event;
import dev.turnout.events.EventOutbox;
import dev.turnout.events.EventType;
import dev.turnout.registry.ActivePointer;
import dev.turnout.registry.Model;
import dev.turnout.registry.ModelVersion;
import dev.turnout.registry.RegistryService;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.transaction.Transactional;
import org.jboss.logging.Logger;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * Moves active-version pointers. Each flip is one transaction under the model row's lock: guards, one history line,
 * the pointer, its event. Concurrent flips therefore queue, the history is a single line, and the last commit wins; the
 * database trigger tells every replica.
 */
@ApplicationScoped
public class RolloutService {

    private static final Logger LOG = Logger.getLogger(RolloutService.class);

    private final TurnoutConfig.Rollout config;
    private final ActivePointer pointer;
    private final RegistryService registry;
    private final int maxActiveModels;
    private final EventOutbox events;
    private final ActivationHistory lines;
    private final Sql sql;

    public RolloutService(TurnoutConfig config, ActivePointer pointer, RegistryService registry, EventOutbox events,
                          ActivationHistory lines, Sql sql) {
        this.events = events;
        this.lines = lines;
        this.sql = sql;
        this.config = config.rollout();
        this.pointer = pointer;
        this.registry = registry;
        this.maxActiveModels = config.serving().maxActiveModels();
    }

    @Transactional
    public ActivationRecord flip(String name, FlipRequest request) {
        Model model = pointer.lock(name);
        ModelVersion next = pointer.version(model, request.version());
        Integer previous = model.activeVersion();
        if (previous != null && previous == request.version()) {
            return latest(model).orElseGet(() -> lines.activation(model.id(), request.version(), previous,
                    ActivationRecord.ACTIVATE, request.actor(), request.reason(), request.force()));
        }
        checkGuards(model, next, request);
        ActivationRecord activation = lines.activation(model.id(), request.version(), previous,
                ActivationRecord.ACTIVATE, request.actor(), request.reason(), request.force());
        pointer.move(model, request.version(), maxActiveModels);
        events.write(event(EventType.MODEL_ACTIVATED, name, activation)
                .withDetails(java.util.Map.of("forced", activation.forced())));
        return activation;
    }

    /**
     * The guards of a flip to {@code next} (metric requirements, configured guards, input compatibility with the active
     * version), as a 409 when one refuses. A rollout checks them at its start; its promoting flip checks them again.
     */
    @Transactional(Transactional.TxType.MANDATORY)
    public void checkGuards(Model model, ModelVersion next, FlipRequest request) {
        Integer previous = model.activeVersion();
        List<MetricRequirement> requirements = new ArrayList<>(request.require());
        if (!request.force()) {
            requirements.addAll(configuredGuards(model.name()));
            if (previous != null) {
                ModelVersion active = pointer.version(model, previous);
                SignatureGuard.incompatibility(active.signature(), next.signature()).ifPresent(problem -> {
                    throw TurnoutException.conflict("version " + request.version() + " is not input-compatible with "
                            + "active version " + previous + ": " + problem + "; send \"force\": true to flip anyway");
                });
            }
        }
        java.util.Map<String, Double> activeMetrics = previous == null ? java.util.Map.of()
                : pointer.version(model, previous).metrics(); // for relative guards ("... >= active - 0.005")
        for (MetricRequirement requirement : requirements) {
            requirement.violation(request.version(), next.metrics(), previous, activeMetrics).ifPresent(problem -> {
                throw TurnoutException.conflict(problem.replace("{name}", model.name()));
            });
        }
    }

    /**
     * Appends a rollout line to the model's history (in the caller's transaction, under the model's lock). Rollback
     * never looks at these lines: it undoes flips, and a promotion is recorded as a flip too.
     */
    @Transactional(Transactional.TxType.MANDATORY)
    public ActivationRecord recordRolloutLine(Model model, long rolloutId, int candidate, int baseline, String kind,
                                              String actor, String reason) {
        return lines.rolloutLine(model.id(), rolloutId, candidate, baseline, kind, actor, reason);
    }

    /** Back to the version that was active before the latest flip, recorded like any flip; guards do not apply. */
    @Transactional
    public ActivationRecord rollback(String name, String actor, String reason) {
        Model model = pointer.lock(name);
        ActivationRecord last = latest(model).orElseThrow(() -> TurnoutException.conflict("model '" + name
                + "' has never been activated; there is nothing to roll back to"));
        if (last.previousVersion() == null) {
            throw TurnoutException.conflict("version " + last.version() + " was activated when '" + name
                    + "' had no active version; there is nothing to roll back to");
        }
        int target = last.previousVersion();
        if (!pointer.exists(model, target)) {
            throw TurnoutException.conflict("the previous active version " + target + " has been deleted; activate a "
                    + "version explicitly");
        }
        ActivationRecord activation = lines.activation(model.id(), target, model.activeVersion(),
                ActivationRecord.ROLLBACK, actor, reason, false);
        pointer.move(model, target, maxActiveModels);
        events.write(event(EventType.MODEL_ROLLED_BACK, name, activation));
        return activation;
    }

    /**
     * Takes a model out of service: it keeps its versions but has no active version, so every replica unloads it.
     * Recorded in the history (as a line of the deactivation table, which the previous build need not read); a rollback brings
     * the version back.
     */
    @Transactional
    public ActivationRecord deactivate(String name, String actor, String reason) {
        Model model = pointer.lock(name);
        if (model.activeVersion() == null) {
            throw TurnoutException.conflict("model '" + name + "' has no active version; there is nothing to deactivate");
        }
        ActivationRecord deactivation = lines.deactivation(model.id(), model.activeVersion(), actor, reason);
        pointer.move(model, null, maxActiveModels);
        events.write(event(EventType.MODEL_DEACTIVATED, name, deactivation));
        return deactivation;
    }

    /**
     * Deletes a model whole, in one transaction under its row's lock: its history (activations and deactivations),
     * what replicas reported about it, then the registry's part (versions, unshared bytes, the row). Refused while it
     * has an active version: taking it out of service is a step of its own, with its own history line and ?wait=.
     */
    @Transactional
    public void deleteModel(String name, String actor) {
        Model model = pointer.lock(name);
        lines.deleteOf(model.id());
        sql.update("DELETE FROM replica_model WHERE model_id = ?1", model.id());
        registry.deleteModel(model); // 409 for an active model, and the transaction rolls all of this back
        events.write(Event.of(EventType.MODEL_DELETED, name, null, actor));
        LOG.infof("%s deleted model %s", actor, name);
    }

    @Transactional(Transactional.TxType.SUPPORTS)
    public List<ActivationRecord> history(String name, int limit) {
        Model model = registry.findModel(name);
        return lines.newest(model.id(), limit);
    }

    private static Event event(EventType type, String name, ActivationRecord line) {
        return Event.of(type, name, line.version(), line.actor()).withPrevious(line.previousVersion(), line.reason());
    }

    private List<MetricRequirement> configuredGuards(String name) {
        String guards = config.guards().get(name);
        if (guards == null || guards.isBlank()) {
            return List.of();
        }
        return Arrays.stream(guards.split(",")).map(MetricRequirement::parse).toList();
    }

    private Optional<ActivationRecord> latest(Model model) {
        return lines.newestFlips(model.id(), 1).stream().findFirst();
    }
}
