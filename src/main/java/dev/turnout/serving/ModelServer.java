package dev.turnout.serving;

import dev.turnout.config.TurnoutConfig;
import dev.turnout.engine.LoadedModel;
import dev.turnout.engine.ModelLoader;
import dev.turnout.error.ErrorCode;
import dev.turnout.error.TurnoutException;
import dev.turnout.logging.RepeatedWarning;
import dev.turnout.registry.RegistryService;
import dev.turnout.registry.ServableVersion;
import dev.turnout.registry.ServingTarget;
import io.quarkus.runtime.ShutdownDelayInitiatedEvent;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Event;
import jakarta.enterprise.event.Observes;
import org.jboss.logging.Logger;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Collectors;

/**
 * What this replica serves: the target of every model, kept in step with the database, plus versions loaded on
 * request ({@link OnDemandVersions}). A new version is fetched, loaded and warmed while the current one keeps serving,
 * then swapped in; the old one drains (see {@link ServedModel}). Every target carries its pointer's generation, and
 * a target older than the one this replica applied last is ignored: a reconcile that read the targets before a flip
 * can never swap that flip back.
 */
@ApplicationScoped
public class ModelServer {

    private static final Logger LOG = Logger.getLogger(ModelServer.class);
    /** A database outage fails every round of the loops: one warning a minute says it lasts. */
    private final RepeatedWarning databaseTrouble = new RepeatedWarning(LOG, Duration.ofMinutes(1));

    private final RegistryService registry;
    private final TurnoutConfig.Serving config;
    private final LoadedModel.PoolSize poolSize;
    private final Event<ServingEvent> events;
    private final ServingMetrics metrics;
    private final Duration drainTimeout;
    private final VersionLoader loader;
    private final LoadFailures failures;
    private final OnDemandVersions onDemand;
    private final NotServedReasons notServed;

    private final Map<String, ServedModel> active = new ConcurrentHashMap<>();
    /** Rollout candidates, loaded with a full predictor pool beside the active version (see {@link TrafficSplit}). */
    private final Map<String, ServedModel> candidates = new ConcurrentHashMap<>();
    /** The generation of the newest target applied per model; guarded by the model's lock. */
    private final Map<String, Long> applied = new ConcurrentHashMap<>();
    private final Map<String, Object> modelLocks = new ConcurrentHashMap<>();
    private volatile boolean shuttingDown;
    private volatile StartupProgress startup = new StartupProgress(false, 0, 0, "not started");
    private final CompletableFuture<StartupProgress> initialLoadDone = new CompletableFuture<>();
    private final BackgroundLoop background = new BackgroundLoop("turnout-model-sync");

    public ModelServer(RegistryService registry, ArtifactCache cache, ModelLoader loader, TurnoutConfig config,
                       Event<ServingEvent> events, ServingMetrics metrics) {
        this.metrics = metrics;
        this.registry = registry;
        this.events = events;
        this.config = config.serving();
        this.drainTimeout = config.rollout().drainTimeout();
        int predictors = this.config.predictorsPerModel() > 0 ? this.config.predictorsPerModel()
                : Runtime.getRuntime().availableProcessors();
        this.poolSize = new LoadedModel.PoolSize(predictors, this.config.maxQueuedRequests());
        this.loader = new VersionLoader(cache, loader, metrics, this.config.warmupInferences());
        this.failures = new LoadFailures(this.config.reconcileInterval());
        this.onDemand = new OnDemandVersions(this.loader, this.config.versionCacheSize(),
                this.config.maxConcurrentLoads(), this.config.maxQueuedRequests(), this::drain);
        this.notServed = new NotServedReasons(registry);
    }

    /** How far the initial load of every active version has come; the replica is ready once it is done. */
    public record StartupProgress(boolean done, int loaded, int total, String detail) {
    }

    void start(@Observes StartupEvent event) {
        background.runOnce(this::initialLoad);
        Duration interval = config.reconcileInterval();
        background.repeat(interval, interval, this::reconcileQuietly);
    }

    /** SIGTERM with a shutdown delay: report not ready at once so load balancers stop sending, keep serving. */
    void shuttingDown(@Observes ShutdownDelayInitiatedEvent event) {
        shuttingDown = true;
        LOG.info("Shutting down: reporting not ready, still serving requests in flight");
    }

    /** Ready to take traffic: every active version loaded or tried, and not shutting down. */
    public boolean ready() {
        return startup.done() && !shuttingDown;
    }

    /** Completes with {@link #startup()} once every active version was loaded or tried the first time. */
    public CompletionStage<StartupProgress> whenInitialLoadDone() {
        return initialLoadDone;
    }

    /** Whether the reconcile loop still runs (liveness). */
    public boolean alive() {
        return background.alive();
    }

    /** Stops the loops; every version closes once its requests are done (native memory is never freed under one). */
    void stop(@Observes ShutdownEvent event) {
        background.stop();
        active.values().forEach(ServedModel::retire);
        candidates.values().forEach(ServedModel::retire);
        onDemand.drainAll().forEach(ServedModel::retire);
    }

    /** Loads every model's target once, until the database could be read; errors per model are recorded, not thrown. */
    void initialLoad() {
        while (!Thread.currentThread().isInterrupted()) {
            try {
                List<ServingTarget> targets = registry.targets();
                int total = (int) targets.stream().filter(target -> target.version().isPresent()).count();
                int loaded = 0;
                for (ServingTarget target : targets) {
                    if (target.version().isEmpty()) {
                        continue;
                    }
                    ServableVersion version = target.version().get();
                    startup = new StartupProgress(false, loaded, total, "loading " + version.model() + " version "
                            + version.version());
                    if (apply(target, true)) {
                        loaded++;
                    }
                }
                startup = new StartupProgress(true, loaded, total, "initial load done");
                initialLoadDone.complete(startup());
                return;
            } catch (RuntimeException e) {
                startup = new StartupProgress(false, 0, 0, "cannot read the active versions: " + e.getMessage());
                databaseTrouble.warn("Cannot read the active versions yet (" + e.getMessage() + "); retrying");
                sleepQuietly(Duration.ofSeconds(2));
            } catch (Error e) { // see BackgroundLoop: the replica must come up even after an Error
                startup = new StartupProgress(false, 0, 0, "reading the active versions failed: " + e);
                LOG.errorf(e, "Reading the active versions failed (%s); retrying", e);
                sleepQuietly(Duration.ofSeconds(2));
            }
        }
    }

    /** Brings this replica in line with the database: every model's newest target, loaded or unloaded. */
    public void reconcile() {
        List<ServingTarget> targets = registry.targets();
        Set<String> known = targets.stream().map(ServingTarget::model).collect(Collectors.toSet());
        for (ServingTarget target : targets) {
            apply(target, false);
        }
        for (String name : List.copyOf(active.keySet())) {
            if (!known.contains(name)) { // the model itself is gone
                synchronized (lockFor(name)) {
                    unload(name);
                }
            }
        }
    }

    private void reconcileQuietly() {
        try {
            reconcile();
        } catch (RuntimeException e) {
            databaseTrouble.warn("Reconciling with the database failed (" + e.getMessage()
                    + "); serving what is loaded");
        }
    }

    /**
     * Re-reads one model's target and applies it now. A flip on this replica passes {@code retryFailed}: the operator
     * asked, so a version that failed before is tried again. A notification does not: when it arrives just after this
     * replica's own attempt failed, trying again would only report LOADING over the fresh FAILED.
     */
    public void refresh(String name, boolean retryFailed) {
        notServed.forget(name);
        apply(registry.target(name), retryFailed);
    }

    /**
     * Makes {@code target} what this replica serves of its model, unless a newer target was applied already. A version
     * is loaded and warmed while the current one keeps serving, then swapped in; on failure the current one keeps
     * serving. Unless {@code retryFailed}, a version whose last attempt failed waits out its backoff.
     *
     * @return whether the target's version (if any) is now being served
     */
    boolean apply(ServingTarget target, boolean retryFailed) {
        String name = target.model();
        synchronized (lockFor(name)) {
            long newest = applied.getOrDefault(name, Long.MIN_VALUE);
            if (target.generation() < newest) {
                LOG.debugf("Ignoring %s generation %d: generation %d is applied", name, target.generation(), newest);
                ServedModel current = active.get(name);
                return current != null && target.version().map(v -> v.version() == current.version()).orElse(false);
            }
            applied.put(name, target.generation());
            if (target.version().isEmpty()) {
                unload(name);
                return true;
            }
            return serve(target.version().get(), retryFailed);
        }
    }

    /** Called under the model's lock. */
    private boolean serve(ServableVersion version, boolean retryFailed) {
        String name = version.model();
        ServedModel current = active.get(name);
        if (current != null && current.version() == version.version()) {
            return true;
        }
        if (!retryFailed && failures.backingOff(name, version.version(), Instant.now())) {
            return false;
        }
        Integer serving = current == null ? null : current.version();
        if (metrics != null) {
            metrics.loading(name, version.version());
        }
        ServedModel loaded;
        ServedModel candidate = candidates.get(name);
        if (candidate != null && candidate.version() == version.version() && candidates.remove(name, candidate)) {
            loaded = candidate; // a promoted rollout candidate: loaded and warmed already, the swap is instant
        } else try {
            loaded = loader.load(version, poolSize, state -> fire(new ServingEvent(name, serving, version.version(),
                    state, null)));
        } catch (VersionLoader.LoadException e) {
            LoadFailures.LoadFailure failure = failures.record(name, version.version(), e.getMessage(), Instant.now());
            LOG.errorf("Could not load %s version %d (attempt %d, next after %s)%s: %s", name, version.version(),
                    failure.attempts(), failure.nextAttempt(),
                    current == null ? "" : "; version " + current.version() + " keeps serving", e.getMessage());
            fire(new ServingEvent(name, serving, version.version(), VersionState.FAILED, e.getMessage()));
            if (metrics != null) {
                metrics.loadFailed(name, version.version());
            }
            return false;
        }
        active.put(name, loaded);
        failures.clear(name);
        notServed.forget(name);
        if (current != null) {
            drain(current);
        }
        fire(new ServingEvent(name, version.version(), version.version(), VersionState.SERVING, null));
        if (metrics != null) {
            metrics.serving(name, version.version());
        }
        LOG.infof("Serving %s version %d%s", name, version.version(),
                current == null ? "" : " (replacing version " + current.version() + ", now draining)");
        return true;
    }

    /** The model has no active version any more (deactivated): its version drains and closes. Under its lock. */
    private void unload(String name) {
        failures.clear(name);
        notServed.forget(name);
        ServedModel gone = active.remove(name);
        if (gone != null) {
            LOG.infof("%s has no active version any more: unloading version %d", name, gone.version());
            drain(gone);
            fire(new ServingEvent(name, null, null, VersionState.RETIRED, null));
            if (metrics != null) {
                metrics.serving(name, 0);
            }
        }
    }

    /** A lease on the model's active version. */
    public ServedModel.Lease lease(String name) {
        for (int attempt = 0; attempt < 1000; attempt++) {
            ServedModel model = active.get(name);
            if (model == null) {
                throw notServed.explain(name, failures.of(name), startup.done());
            }
            ServedModel.Lease lease = model.tryLease();
            if (lease != null) {
                return lease;
            }
            // retired between the lookup and the lease: the replacement is already in the map
        }
        throw new TurnoutException(ErrorCode.UNAVAILABLE, "model '" + name + "' is being swapped; retry");
    }

    /**
     * A lease for a request that names no version: the active version, or the {@link TrafficSplit}'s candidate when
     * the split chose it and it is loaded here (it always is before a split names it; if it was unloaded since, the
     * active version answers).
     */
    public ServedModel.Lease lease(String name, TrafficSplit split, String routingKey) {
        Integer candidate = split.choose(name, routingKey);
        if (candidate != null) {
            Optional<ServedModel> loaded = servedVersion(name, candidate);
            ServedModel.Lease lease = loaded.isPresent() ? loaded.get().tryLease() : null;
            if (lease != null) {
                return lease;
            }
        }
        return lease(name);
    }

    /**
     * Loads and warms {@code version} of {@code name} as its rollout candidate, unless it is loaded already: with a
     * full predictor pool, beside the active version, never evicted; a flip to it takes it over without a second
     * load. Blocking (a background loop calls it); a version that cannot be loaded is a 503 {@link TurnoutException}.
     */
    public void prepareCandidate(String name, int version) {
        synchronized (lockFor(name)) {
            ServedModel current = candidates.get(name);
            if (current != null && current.version() == version) {
                return;
            }
            ServedModel loaded;
            try {
                loaded = loader.load(registry.servableVersion(name, version), poolSize, state -> { });
            } catch (VersionLoader.LoadException e) {
                throw new TurnoutException(ErrorCode.UNAVAILABLE, "the rollout candidate version " + version + " of '"
                        + name + "' cannot be loaded: " + e.getMessage());
            }
            ServedModel replaced = candidates.put(name, loaded);
            if (replaced != null) {
                drain(replaced);
            }
            LOG.infof("Loaded %s version %d as rollout candidate", name, version);
        }
    }

    /** The model has no rollout candidate any more (it was promoted, or the rollout ended): it drains and closes. */
    public void dropCandidate(String name) {
        synchronized (lockFor(name)) {
            ServedModel gone = candidates.remove(name);
            if (gone != null) {
                drain(gone);
            }
        }
    }

    /** The rollout candidates loaded here, by model. */
    public Map<String, Integer> candidates() {
        Map<String, Integer> loaded = new TreeMap<>();
        candidates.forEach((name, model) -> loaded.put(name, model.version()));
        return loaded;
    }

    /** A lease on a given version: the active one, or one loaded on demand. */
    public ServedModel.Lease lease(String name, int version) {
        ServedModel current = active.get(name);
        if (current != null && current.version() == version) {
            ServedModel.Lease lease = current.tryLease();
            if (lease != null) {
                return lease;
            }
        }
        ServedModel candidate = candidates.get(name);
        Optional<ServedModel> cached = candidate != null && candidate.version() == version ? Optional.of(candidate)
                : onDemand.get(name, version);
        if (cached.isPresent()) {
            ServedModel.Lease lease = cached.get().tryLease();
            if (lease != null) {
                return lease;
            }
        }
        return onDemand.lease(registry.servableVersion(name, version));
    }

    /**
     * Retires a replaced version: it takes no new requests and closes when its last one is done, however long that
     * takes, since closing frees native memory a running inference still uses. Past the drain timeout it is logged.
     */
    private void drain(ServedModel model) {
        model.retire();
        if (!model.isClosed()) {
            background.schedule(drainTimeout, () -> {
                if (!model.isClosed()) {
                    LOG.warnf("%s still has %d requests in flight after %s; it closes when they are done", model,
                            model.inFlight(), drainTimeout);
                }
            });
        }
    }

    private void fire(ServingEvent event) {
        if (events != null) {
            events.fire(event);
        }
    }

    /** What this replica serves of every model it knows of, as events (for a full report to the database). */
    public List<ServingEvent> states() {
        List<ServingEvent> states = new ArrayList<>();
        Map<String, LoadFailures.LoadFailure> failed = failures.all();
        active.forEach((name, model) -> {
            LoadFailures.LoadFailure failure = failed.get(name);
            states.add(failure == null
                    ? new ServingEvent(name, model.version(), model.version(), VersionState.SERVING, null)
                    : new ServingEvent(name, model.version(), failure.version(), VersionState.FAILED, failure.error()));
        });
        failed.forEach((name, failure) -> {
            if (!active.containsKey(name)) {
                states.add(new ServingEvent(name, null, failure.version(), VersionState.FAILED, failure.error()));
            }
        });
        return states;
    }

    /** The version of each model this replica serves, by name. */
    public Map<String, Integer> serving() {
        Map<String, Integer> serving = new TreeMap<>();
        active.forEach((name, model) -> serving.put(name, model.version()));
        return serving;
    }

    public Optional<ServedModel> servedVersion(String name, int version) {
        ServedModel current = active.get(name);
        if (current != null && current.version() == version) {
            return Optional.of(current);
        }
        ServedModel candidate = candidates.get(name);
        if (candidate != null && candidate.version() == version) {
            return Optional.of(candidate);
        }
        return onDemand.get(name, version);
    }

    /**
     * Whether a request for {@code version} of {@code name} (null: the active one) can be answered from memory, with no
     * load and no database query.
     */
    public boolean isLoaded(String name, Integer version) {
        return version == null ? active.containsKey(name) : servedVersion(name, version).isPresent();
    }

    public Optional<ServedModel> servedActive(String name) {
        return Optional.ofNullable(active.get(name));
    }

    /** The failed load of each model whose target this replica could not load: version and error. */
    public Map<String, String> failures() {
        Map<String, String> described = new TreeMap<>();
        failures.all().forEach((name, failure) -> described.put(name, "version " + failure.version() + ": "
                + failure.error()));
        return described;
    }

    /** The version whose load failed for {@code name}, if any, and why. */
    public Optional<FailedVersion> failure(String name) {
        return failures.of(name).map(failure -> new FailedVersion(failure.version(), failure.error()));
    }

    /** A model's target that this replica could not load. */
    public record FailedVersion(int version, String error) {
    }

    /**
     * Before the initial load is done, how far it has come; after it, the models whose target this replica serves now,
     * of all it should serve, and the ones whose target failed (their previous version may still serve).
     */
    public StartupProgress startup() {
        StartupProgress initial = startup;
        if (!initial.done()) {
            return initial;
        }
        Set<String> failed = new TreeSet<>(failures.all().keySet());
        Set<String> models = new HashSet<>(active.keySet());
        models.addAll(failed);
        int loaded = models.size() - failed.size();
        return new StartupProgress(true, loaded, models.size(), failed.isEmpty() ? "all loaded"
                : loaded + " of " + models.size() + " loaded; failed: " + failed);
    }

    private Object lockFor(String name) {
        return modelLocks.computeIfAbsent(name, n -> new Object());
    }

    private static void sleepQuietly(Duration duration) {
        try {
            Thread.sleep(duration.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
