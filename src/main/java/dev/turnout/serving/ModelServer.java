package dev.turnout.serving;

import dev.turnout.config.TurnoutConfig;
import dev.turnout.engine.InvalidModelException;
import dev.turnout.engine.LoadedModel;
import dev.turnout.engine.ModelLoader;
import dev.turnout.error.ErrorCode;
import dev.turnout.error.TurnoutException;
import dev.turnout.registry.RegistryService;
import dev.turnout.registry.ServableVersion;
import io.quarkus.runtime.ShutdownDelayInitiatedEvent;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Event;
import jakarta.enterprise.event.Observes;
import org.jboss.logging.Logger;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

/**
 * What this replica serves: the active version of every model, kept in step with the database, plus a small LRU of
 * other versions loaded on request. A new version is loaded and warmed before it replaces the old one; the old one
 * drains (see {@link ServedModel}).
 */
@ApplicationScoped
public class ModelServer {

    private static final Logger LOG = Logger.getLogger(ModelServer.class);
    private static final Duration MAX_BACKOFF = Duration.ofMinutes(5);

    private final RegistryService registry;
    private final ArtifactCache cache;
    private final ModelLoader loader;
    private final TurnoutConfig.Serving config;
    private final LoadedModel.PoolSize poolSize;
    private final Event<ServingEvent> events;
    private final ServingMetrics metrics;
    private final Duration drainTimeout;

    private final Map<String, ServedModel> active = new ConcurrentHashMap<>();
    private final Map<String, ServedModel> pinned = new LinkedHashMap<>(16, 0.75f, true); // guarded by itself
    private final Map<String, CompletableFuture<ServedModel>> pinnedLoads = new ConcurrentHashMap<>();
    private final Map<String, Object> modelLocks = new ConcurrentHashMap<>();
    private final Map<String, LoadFailure> failures = new ConcurrentHashMap<>();
    private final RecentNotFound recentNotFound = new RecentNotFound(Duration.ofSeconds(2), 10_000);
    private volatile boolean shuttingDown;
    private volatile StartupProgress startup = new StartupProgress(false, 0, 0, "not started");
    private ScheduledExecutorService background;

    public ModelServer(RegistryService registry, ArtifactCache cache, ModelLoader loader, TurnoutConfig config,
                       Event<ServingEvent> events, ServingMetrics metrics) {
        this.metrics = metrics;
        this.registry = registry;
        this.cache = cache;
        this.loader = loader;
        this.events = events;
        this.config = config.serving();
        this.drainTimeout = config.rollout().drainTimeout();
        int predictors = this.config.predictorsPerModel() > 0 ? this.config.predictorsPerModel()
                : Runtime.getRuntime().availableProcessors();
        this.poolSize = new LoadedModel.PoolSize(predictors, this.config.maxQueuedRequests());
    }

    /** A failed load of a model's active version; retried with exponential backoff. */
    public record LoadFailure(int version, String error, int attempts, Instant nextAttempt) {
    }

    /** How far the initial load of every active version has come; the replica is ready once it is done. */
    public record StartupProgress(boolean done, int loaded, int total, String detail) {
    }

    void start(@Observes StartupEvent event) {
        background = Executors.newSingleThreadScheduledExecutor(runnable -> {
            Thread thread = new Thread(runnable, "turnout-model-sync");
            thread.setDaemon(true);
            return thread;
        });
        background.execute(this::initialLoad);
        long interval = config.reconcileInterval().toMillis();
        background.scheduleWithFixedDelay(this::reconcileQuietly, interval, interval, TimeUnit.MILLISECONDS);
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

    void stop(@Observes ShutdownEvent event) {
        if (background != null) {
            background.shutdownNow();
        }
        active.values().forEach(ServedModel::forceClose);
        synchronized (pinned) {
            pinned.values().forEach(ServedModel::forceClose);
        }
    }

    void initialLoad() {
        while (!Thread.currentThread().isInterrupted()) {
            try {
                List<ServableVersion> versions = registry.activeVersions();
                int loaded = 0;
                for (ServableVersion version : versions) {
                    startup = new StartupProgress(false, loaded, versions.size(), "loading " + version.model()
                            + " version " + version.version());
                    if (serve(version, true)) {
                        loaded++;
                    }
                }
                startup = new StartupProgress(true, loaded, versions.size(), failures.isEmpty() ? "all loaded"
                        : "failed: " + failures.keySet());
                return;
            } catch (RuntimeException e) {
                startup = new StartupProgress(false, 0, 0, "cannot read the active versions: " + e.getMessage());
                LOG.warnf("Cannot read the active versions yet (%s); retrying", e.getMessage());
                sleepQuietly(Duration.ofSeconds(2));
            }
        }
    }

    /** Brings this replica in line with the database: loads changed active versions, unloads deactivated ones. */
    public void reconcile() {
        List<ServableVersion> versions = registry.activeVersions();
        Set<String> names = versions.stream().map(ServableVersion::model).collect(Collectors.toSet());
        for (ServableVersion version : versions) {
            serve(version, false);
        }
        for (String name : List.copyOf(active.keySet())) {
            if (!names.contains(name)) {
                unload(name);
            }
        }
    }

    /** The model has no active version any more (deactivated): its version drains and closes. */
    private void unload(String name) {
        synchronized (lockFor(name)) {
            failures.remove(name);
            ServedModel gone = active.remove(name);
            if (gone != null) {
                LOG.infof("%s has no active version any more: unloading version %d", name, gone.version());
                drain(gone);
                fire(new ServingEvent(name, null, null, ServingEvent.State.SERVING, null));
                if (metrics != null) {
                    metrics.serving(name, 0);
                }
            }
        }
    }

    /**
     * Re-reads one model's active version and serves it now, or unloads the model when it has none any more. A flip
     * on this replica passes {@code retryFailed}: the operator asked, so a version that failed before is tried again.
     * A notification does not: when it arrives just after this replica's own attempt failed, trying again would only
     * report LOADING over the fresh FAILED.
     */
    public void refresh(String name, boolean retryFailed) {
        recentNotFound.forget(name);
        registry.activeVersion(name).ifPresentOrElse(version -> serve(version, retryFailed), () -> unload(name));
    }

    private void reconcileQuietly() {
        try {
            reconcile();
        } catch (RuntimeException e) {
            LOG.warnf("Reconciling with the database failed (%s); serving what is loaded", e.getMessage());
        }
    }

    /**
     * Makes {@code version} the one serving its model: loads and warms it while the current one keeps serving, then
     * swaps and retires the old one. On failure the old one keeps serving. Unless {@code retryFailed}, a version
     * whose last attempt failed waits out its backoff (checked under the model's lock, so two callers racing on one
     * flip try once).
     *
     * @return whether {@code version} is now being served
     */
    boolean serve(ServableVersion version, boolean retryFailed) {
        String name = version.model();
        synchronized (lockFor(name)) {
            ServedModel current = active.get(name);
            if (current != null && current.version() == version.version()) {
                return true;
            }
            LoadFailure failure = failures.get(name);
            if (!retryFailed && failure != null && failure.version() == version.version()
                    && Instant.now().isBefore(failure.nextAttempt())) {
                return false;
            }
            Integer serving = current == null ? null : current.version();
            fire(new ServingEvent(name, serving, version.version(), ServingEvent.State.LOADING, null));
            ServedModel loaded;
            try {
                loaded = load(version);
            } catch (LoadException e) {
                LoadFailure previous = failures.get(name);
                int attempts = previous != null && previous.version() == version.version() ? previous.attempts() + 1 : 1;
                Duration backoff = config.reconcileInterval().multipliedBy(1L << Math.min(attempts - 1, 10));
                backoff = backoff.compareTo(MAX_BACKOFF) > 0 ? MAX_BACKOFF : backoff;
                failures.put(name, new LoadFailure(version.version(), e.getMessage(), attempts, Instant.now().plus(backoff)));
                LOG.errorf("Could not load %s version %d (attempt %d, next in %s)%s: %s", name, version.version(),
                        attempts, backoff, current == null ? "" : "; version " + current.version() + " keeps serving",
                        e.getMessage());
                fire(new ServingEvent(name, serving, version.version(), ServingEvent.State.FAILED, e.getMessage()));
                if (metrics != null) {
                    metrics.loadFailed(name, version.version());
                }
                return false;
            }
            active.put(name, loaded);
            failures.remove(name);
            recentNotFound.forget(name);
            if (current != null) {
                drain(current);
            }
            fire(new ServingEvent(name, version.version(), version.version(), ServingEvent.State.SERVING, null));
            if (metrics != null) {
                metrics.serving(name, version.version());
            }
            LOG.infof("Serving %s version %d%s", name, version.version(),
                    current == null ? "" : " (replacing version " + current.version() + ", now draining)");
            return true;
        }
    }

    /** A lease on the model's active version. */
    public ServedModel.Lease lease(String name) {
        for (int attempt = 0; attempt < 1000; attempt++) {
            ServedModel model = active.get(name);
            if (model == null) {
                throw notServed(name);
            }
            ServedModel.Lease lease = model.tryLease();
            if (lease != null) {
                return lease;
            }
            // retired between the lookup and the lease: the replacement is already in the map
        }
        throw new TurnoutException(ErrorCode.UNAVAILABLE, "model '" + name + "' is being swapped; retry");
    }

    /** A lease on a given version: the active one, a cached one, or one loaded now into the LRU cache. */
    public ServedModel.Lease lease(String name, int version) {
        ServedModel current = active.get(name);
        if (current != null && current.version() == version) {
            ServedModel.Lease lease = current.tryLease();
            if (lease != null) {
                return lease;
            }
        }
        String key = name + "@" + version;
        synchronized (pinned) {
            ServedModel cached = pinned.get(key);
            ServedModel.Lease lease = cached == null ? null : cached.tryLease();
            if (lease != null) {
                return lease;
            }
        }
        ServedModel loaded = loadPinned(key, registry.servableVersion(name, version));
        ServedModel.Lease lease = loaded.tryLease();
        if (lease == null) {
            throw new TurnoutException(ErrorCode.UNAVAILABLE, "version " + version + " of '" + name
                    + "' was evicted while loading; retry");
        }
        if (config.versionCacheSize() == 0) {
            loaded.retire(); // no cache: closes when this request is done
        }
        return lease;
    }

    private ServedModel loadPinned(String key, ServableVersion version) {
        CompletableFuture<ServedModel> mine = new CompletableFuture<>();
        CompletableFuture<ServedModel> theirs = pinnedLoads.putIfAbsent(key, mine);
        if (theirs != null) {
            return theirs.join();
        }
        try {
            ServedModel loaded = load(version);
            if (config.versionCacheSize() > 0) {
                List<ServedModel> evicted = new ArrayList<>();
                synchronized (pinned) {
                    pinned.put(key, loaded);
                    var eldest = pinned.entrySet().iterator();
                    while (pinned.size() > config.versionCacheSize()) {
                        evicted.add(eldest.next().getValue());
                        eldest.remove();
                    }
                }
                evicted.forEach(this::drain);
            }
            mine.complete(loaded);
            return loaded;
        } catch (LoadException e) {
            TurnoutException refusal = new TurnoutException(ErrorCode.UNAVAILABLE, "version " + version.version()
                    + " of '" + version.model() + "' cannot be loaded: " + e.getMessage());
            mine.completeExceptionally(refusal);
            throw refusal;
        } finally {
            pinnedLoads.remove(key);
        }
    }

    private ServedModel load(ServableVersion version) throws LoadException {
        Instant start = Instant.now();
        try {
            Path file = cache.fetch(version.artifact());
            LoadedModel model = loader.load(file, version.artifact().format(), version.signature(), poolSize,
                    config.warmupInferences());
            LOG.infof("Loaded %s version %d in %d ms (warm-up %d ms)", version.model(), version.version(),
                    Duration.between(start, Instant.now()).toMillis(), model.warmupTime().toMillis());
            ServedModel served = new ServedModel(version, model);
            if (metrics != null) {
                served.meters(metrics.forVersion(served, model.loadTime(), model.warmupTime()));
            }
            return served;
        } catch (IOException | ArtifactIntegrityException | InvalidModelException | RuntimeException e) {
            throw new LoadException(e.getMessage() != null ? e.getMessage() : e.getClass().getSimpleName(), e);
        }
    }

    /** Retires a replaced version: it finishes what is in flight, and is closed anyway after the drain timeout. */
    private void drain(ServedModel model) {
        model.retire();
        if (!model.isClosed() && background != null) {
            background.schedule(() -> {
                if (!model.isClosed()) {
                    LOG.warnf("%s still had %d requests in flight after %s: closing it", model, model.inFlight(),
                            drainTimeout);
                    model.forceClose();
                }
            }, drainTimeout.toMillis(), TimeUnit.MILLISECONDS);
        }
    }

    private void fire(ServingEvent event) {
        if (events != null) {
            events.fire(event);
        }
    }

    private TurnoutException notServed(String name) {
        LoadFailure failure = failures.get(name);
        if (failure != null) {
            return new TurnoutException(ErrorCode.UNAVAILABLE, "model '" + name + "' version " + failure.version()
                    + " failed to load: " + failure.error());
        }
        if (!startup.done()) {
            return new TurnoutException(ErrorCode.UNAVAILABLE, "this replica is still loading its models; retry");
        }
        String message = recentNotFound.get(name).orElse(null);
        if (message == null) {
            try {
                registry.getModel(name);
                message = "model '" + name + "' has no active version; set one with PUT /api/models/" + name + "/active";
            } catch (TurnoutException e) {
                if (e.code() != ErrorCode.NOT_FOUND) {
                    throw e; // the database is unreachable: 503, and nothing remembered
                }
                message = e.getMessage();
            }
            recentNotFound.remember(name, message);
        }
        return TurnoutException.notFound(message);
    }

    /** What this replica serves of every model it knows of, as events (for a full report to the database). */
    public List<ServingEvent> states() {
        List<ServingEvent> states = new ArrayList<>();
        active.forEach((name, model) -> {
            LoadFailure failure = failures.get(name);
            states.add(failure == null
                    ? new ServingEvent(name, model.version(), model.version(), ServingEvent.State.SERVING, null)
                    : new ServingEvent(name, model.version(), failure.version(), ServingEvent.State.FAILED, failure.error()));
        });
        failures.forEach((name, failure) -> {
            if (!active.containsKey(name)) {
                states.add(new ServingEvent(name, null, failure.version(), ServingEvent.State.FAILED, failure.error()));
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
        synchronized (pinned) {
            return Optional.ofNullable(pinned.get(name + "@" + version));
        }
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

    public Map<String, LoadFailure> failures() {
        return Map.copyOf(failures);
    }

    public StartupProgress startup() {
        return startup;
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

    /** A version could not be fetched, verified, loaded or warmed up. */
    static final class LoadException extends Exception {
        LoadException(String message, Throwable cause) {
            super(message, cause);
        }
    }
}
