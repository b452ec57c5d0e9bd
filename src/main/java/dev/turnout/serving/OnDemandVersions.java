package dev.turnout.serving;

import dev.turnout.engine.LoadedModel;
import dev.turnout.error.ErrorCode;
import dev.turnout.error.TurnoutException;
import dev.turnout.registry.ServableVersion;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.function.Consumer;

/**
 * Versions other than the active one, loaded when a request names them ({@code /versions/{v}}), kept in a small LRU.
 * Anyone may name any version, so the bound is applied when a load is admitted, not after it: at most
 * {@code maxLoads} loads run at once (a request that would start one more is refused at once with 503), room is made
 * in the LRU before a load starts, and each version gets a single predictor (it is for trying a version, not for
 * production traffic).
 */
final class OnDemandVersions {

    private final VersionLoader loader;
    private final int capacity;
    private final int maxLoads;
    private final Semaphore loads;
    private final LoadedModel.PoolSize pool;
    private final Consumer<ServedModel> drain;
    private final Map<String, ServedModel> cached = new LinkedHashMap<>(16, 0.75f, true); // guarded by itself
    private final Map<String, CompletableFuture<ServedModel>> loading = new ConcurrentHashMap<>();

    OnDemandVersions(VersionLoader loader, int capacity, int maxLoads, int maxQueued, Consumer<ServedModel> drain) {
        this.loader = loader;
        this.capacity = capacity;
        this.maxLoads = maxLoads;
        this.loads = new Semaphore(maxLoads);
        this.pool = new LoadedModel.PoolSize(1, maxQueued);
        this.drain = drain;
    }

    Optional<ServedModel> get(String model, int version) {
        synchronized (cached) {
            return Optional.ofNullable(cached.get(key(model, version)));
        }
    }

    /** A lease on {@code version}: from the LRU, from a load of it under way, or from a load started now. */
    ServedModel.Lease lease(ServableVersion version) {
        String key = key(version.model(), version.version());
        ServedModel.Lease lease = leaseCached(key);
        if (lease != null) {
            return lease;
        }
        CompletableFuture<ServedModel> mine = new CompletableFuture<>();
        CompletableFuture<ServedModel> theirs = loading.putIfAbsent(key, mine);
        ServedModel loaded = theirs != null ? join(theirs) : loadNow(key, version, mine);
        lease = loaded.tryLease();
        if (lease == null) {
            throw new TurnoutException(ErrorCode.UNAVAILABLE, "version " + version.version() + " of '"
                    + version.model() + "' was evicted while loading; retry");
        }
        if (capacity == 0) {
            loaded.retire(); // no LRU: it closes when this request is done
        }
        return lease;
    }

    private ServedModel loadNow(String key, ServableVersion version, CompletableFuture<ServedModel> mine) {
        try {
            if (!loads.tryAcquire()) {
                throw new TurnoutException(ErrorCode.OVERLOADED, maxLoads + " version(s) are being loaded on demand "
                        + "already (turnout.serving.max-concurrent-loads); retry shortly");
            }
            try {
                makeRoom();
                ServedModel loaded = loader.load(version, pool, state -> { });
                if (capacity > 0) {
                    synchronized (cached) {
                        cached.put(key, loaded);
                    }
                }
                mine.complete(loaded);
                return loaded;
            } finally {
                loads.release();
            }
        } catch (VersionLoader.LoadException e) {
            TurnoutException refusal = new TurnoutException(ErrorCode.UNAVAILABLE, "version " + version.version()
                    + " of '" + version.model() + "' cannot be loaded: " + e.getMessage());
            mine.completeExceptionally(refusal);
            throw refusal;
        } catch (RuntimeException e) {
            mine.completeExceptionally(e);
            throw e;
        } finally {
            loading.remove(key, mine);
        }
    }

    /** Evicts least recently used versions until those cached and those loading fit the capacity. */
    private void makeRoom() {
        List<ServedModel> evicted = new ArrayList<>();
        synchronized (cached) {
            int inProgress = maxLoads - loads.availablePermits();
            var eldest = cached.values().iterator();
            while (eldest.hasNext() && cached.size() + inProgress > capacity) {
                evicted.add(eldest.next());
                eldest.remove();
            }
        }
        evicted.forEach(drain);
    }

    private ServedModel.Lease leaseCached(String key) {
        synchronized (cached) {
            ServedModel model = cached.get(key);
            return model == null ? null : model.tryLease();
        }
    }

    private static ServedModel join(CompletableFuture<ServedModel> load) {
        try {
            return load.join();
        } catch (CompletionException e) {
            throw e.getCause() instanceof RuntimeException refusal ? refusal : e;
        }
    }

    /** Every cached version, removed from the LRU (at shutdown). */
    List<ServedModel> drainAll() {
        synchronized (cached) {
            List<ServedModel> all = new ArrayList<>(cached.values());
            cached.clear();
            return all;
        }
    }

    private static String key(String model, int version) {
        return model + "@" + version;
    }
}
