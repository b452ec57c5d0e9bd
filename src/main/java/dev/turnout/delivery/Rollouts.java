package dev.turnout.delivery;

import dev.turnout.error.TurnoutException;
import dev.turnout.events.Event;
import dev.turnout.events.EventOutbox;
import dev.turnout.events.EventType;
import dev.turnout.registry.ActivePointer;
import dev.turnout.registry.Model;
import dev.turnout.registry.ModelVersion;
import dev.turnout.registry.RegistryService;
import dev.turnout.rollout.FlipRequest;
import dev.turnout.rollout.MetricRequirement;
import dev.turnout.rollout.RolloutService;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.transaction.Transactional;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * Starts rollouts and moves them through their states. Each change is one transaction under the model row's lock (the
 * lock flips take too): the rollout row, a line in the activation history and an event, together or not at all.
 */
@ApplicationScoped
@Transactional
public class Rollouts {

    static final String START = "rollout_start";
    static final String STEP = "rollout_step";
    static final String PAUSE = "rollout_pause";
    static final String RESUME = "rollout_resume";
    static final String PROMOTE = "rollout_promote";
    static final String ABORT = "rollout_abort";

    private final ActivePointer pointer;
    private final RolloutService history;
    private final RolloutStore store;
    private final EventOutbox events;
    private final DeliveryMetrics metrics;
    private final RegistryService registry;

    public Rollouts(ActivePointer pointer, RolloutService history, RolloutStore store, EventOutbox events,
                    DeliveryMetrics metrics, RegistryService registry) {
        this.registry = registry;
        this.pointer = pointer;
        this.history = history;
        this.store = store;
        this.events = events;
        this.metrics = metrics;
    }

    public Rollout start(String name, RolloutPlan plan) {
        Model model = pointer.lock(name);
        ModelVersion candidate = pointer.version(model, plan.version());
        if (model.activeVersion() == null) {
            throw TurnoutException.conflict("model '" + name + "' has no active version; a rollout compares the "
                    + "candidate with the active version, so activate one first");
        }
        int baseline = model.activeVersion();
        if (baseline == plan.version()) {
            throw TurnoutException.conflict("version " + plan.version() + " is the active version already; roll out "
                    + "another version");
        }
        store.inProgressLocked(model.id()).ifPresent(running -> {
            throw TurnoutException.conflict("model '" + name + "' has a rollout in progress (version "
                    + running.version() + ", " + running.state() + "); promote or abort it first (one rollout per "
                    + "model at a time)");
        });
        history.checkGuards(model, candidate, new FlipRequest(plan.version(), plan.reason(), plan.force(),
                plan.require(), plan.actor()));
        long id = store.insert(model.id(), plan, baseline);
        String what = plan.strategy() == Strategy.CANARY
                ? "canary " + plan.steps().stream().map(w -> w + "%").collect(Collectors.joining(" → "))
                        + ", " + plan.stepDuration().toMillis() + " ms per step"
                : "shadow of " + plan.sample() + " of the requests for " + plan.duration().toMillis() + " ms";
        history.recordRolloutLine(model, id, plan.version(), baseline, START, plan.actor(),
                plan.reason() == null ? what : what + ": " + plan.reason());
        Map<String, Object> details = new LinkedHashMap<>();
        details.put("rollout_id", id);
        details.put("strategy", plan.strategy().wireName());
        details.put("steps", plan.steps());
        details.put("weight", plan.steps().isEmpty() ? 0 : plan.steps().get(0));
        events.write(event(EventType.ROLLOUT_STARTED, name, plan.version(), baseline, plan.actor(), plan.reason(),
                details));
        return store.byId(id).orElseThrow();
    }

    public void pause(String name, String actor, String reason) {
        Model model = pointer.lock(name);
        Rollout rollout = inProgress(model);
        if (rollout.state() != RolloutState.RUNNING) {
            throw TurnoutException.conflict("the rollout of version " + rollout.version() + " is paused already");
        }
        store.setRunning(rollout.id(), RolloutState.PAUSED);
        record(model, rollout, PAUSE, EventType.ROLLOUT_PAUSED, actor, reason, Map.of("weight", rollout.weight()));
    }

    public void resume(String name, String actor, String reason) {
        Model model = pointer.lock(name);
        Rollout rollout = inProgress(model);
        if (rollout.state() != RolloutState.PAUSED) {
            throw TurnoutException.conflict("the rollout of version " + rollout.version() + " is not paused");
        }
        store.setRunning(rollout.id(), RolloutState.RUNNING);
        record(model, rollout, RESUME, EventType.ROLLOUT_RESUMED, actor, reason, Map.of("weight", rollout.weight()));
    }

    public void abort(String name, String actor, String reason) {
        Model model = pointer.lock(name);
        Rollout rollout = inProgress(model);
        abort(model, rollout, actor, reason == null ? "aborted by " + actor : "aborted by " + actor + ": " + reason,
                Map.of());
    }

    /**
     * Makes the candidate the active version: a flip with the rollout's guards (in this transaction), then the rollout
     * is PROMOTED. The caller refreshes serving after the commit. A guard's 409 rolls all of it back.
     */
    public Rollout promote(String name, String actor, String reason) {
        Model model = pointer.lock(name);
        Rollout rollout = inProgress(model);
        history.flip(name, new FlipRequest(rollout.version(), reason == null ? "promoted by rollout " + rollout.id()
                : reason, rollout.forced(), rollout.requirements().stream().map(MetricRequirement::parse).toList(),
                actor));
        store.end(rollout.id(), RolloutState.PROMOTED, reason == null ? "promoted by " + actor
                : "promoted by " + actor + ": " + reason);
        record(model, rollout, PROMOTE, EventType.ROLLOUT_PROMOTED, actor, reason, Map.of());
        metrics.ended(name, RolloutState.PROMOTED);
        return store.byId(rollout.id()).orElseThrow();
    }

    /** Ends a rollout by id if it is still in progress (the analysis, after a refused promotion). */
    public void abortIfInProgress(String name, long id, String actor, String why) {
        Model model = pointer.lock(name);
        store.inProgressLocked(model.id()).filter(r -> r.id() == id)
                .ifPresent(rollout -> abort(model, rollout, actor, why, Map.of()));
    }

    void abort(Model model, Rollout rollout, String actor, String why, Map<String, Object> figures) {
        store.end(rollout.id(), RolloutState.ABORTED, why);
        Map<String, Object> details = new LinkedHashMap<>(figures);
        details.put("outcome", why);
        record(model, rollout, ABORT, EventType.ROLLOUT_ABORTED, actor, why, details);
        metrics.ended(model.name(), RolloutState.ABORTED);
    }

    /** The rollout superseded by a flip (of this build or the previous one): promoted if it flipped to the candidate. */
    void settleSuperseded(Model model, Rollout rollout, String actor) {
        if (model.activeVersion() != null && model.activeVersion() == rollout.version()) {
            String why = "the candidate was activated by a flip";
            store.end(rollout.id(), RolloutState.PROMOTED, why);
            record(model, rollout, PROMOTE, EventType.ROLLOUT_PROMOTED, actor, why, Map.of());
            metrics.ended(model.name(), RolloutState.PROMOTED);
        } else {
            abort(model, rollout, actor, model.activeVersion() == null ? "superseded: the model was deactivated"
                    : "superseded: a flip activated version " + model.activeVersion(), Map.of());
        }
    }

    void step(Model model, Rollout rollout, String actor, String why, Map<String, Object> figures) {
        int next = rollout.step() + 1;
        int weight = rollout.steps().get(next);
        store.moveToStep(rollout.id(), next, weight);
        Map<String, Object> details = new LinkedHashMap<>(figures);
        details.put("step", next + 1);
        details.put("weight", weight);
        record(model, rollout, STEP, EventType.ROLLOUT_STEP, actor, "weight " + weight + "% after " + why, details);
    }

    private Rollout inProgress(Model model) {
        return store.inProgressLocked(model.id()).orElseThrow(() -> TurnoutException.conflict("model '" + model.name()
                + "' has no rollout in progress"));
    }

    private void record(Model model, Rollout rollout, String kind, EventType type, String actor, String reason,
                        Map<String, Object> details) {
        history.recordRolloutLine(model, rollout.id(), rollout.version(), rollout.baselineVersion(), kind, actor,
                reason);
        Map<String, Object> all = new LinkedHashMap<>();
        all.put("rollout_id", rollout.id());
        all.put("strategy", rollout.strategy().wireName());
        all.putAll(details);
        events.write(event(type, model.name(), rollout.version(), rollout.baselineVersion(), actor, reason, all));
    }

    private static Event event(EventType type, String name, int version, int baseline, String actor, String reason,
                               Map<String, Object> details) {
        return Event.of(type, name, version, actor).withPrevious(baseline, reason).withDetails(details);
    }

    /** The figures of a rollout's current step, as the API and the decision log show them. */
    static Map<String, Object> figuresOf(Rollout rollout, Map<Integer, VersionFigures> byVersion) {
        if (rollout.strategy() == Strategy.SHADOW) {
            return ShadowRollouts.figures(rollout, byVersion);
        }
        Map<String, Object> figures = new LinkedHashMap<>();
        figures.put("candidate", byVersion.getOrDefault(rollout.version(),
                VersionFigures.of(rollout.version(), 0, 0, new long[0])));
        figures.put("active", byVersion.getOrDefault(rollout.baselineVersion(),
                VersionFigures.of(rollout.baselineVersion(), 0, 0, new long[0])));
        return figures;
    }

    /** Every rollout in progress, for the replicas' sync. */
    public List<Rollout> inProgress() {
        return store.inProgress();
    }

    /** A model's newest rollout (in progress or ended) with its current figures and decision log; 404 if none. */
    public RolloutView current(String name, int decisions) {
        Model model = find(name);
        Rollout rollout = store.ofModel(model.id(), 1).stream().findFirst().orElseThrow(() -> TurnoutException.notFound(
                "model '" + name + "' has had no rollout"));
        return RolloutView.of(rollout, figuresOf(rollout, store.figures(rollout.id(), rollout.step())),
                store.decisions(rollout.id(), decisions));
    }

    /** A model's rollouts, newest first, without figures or decisions. */
    public List<RolloutView> list(String name, int limit) {
        Model model = find(name);
        return store.ofModel(model.id(), limit).stream().map(r -> RolloutView.of(r, null, null)).toList();
    }

    private Model find(String name) {
        return registry.findModel(name);
    }
}
