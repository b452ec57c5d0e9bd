package dev.turnout.serving;

import jakarta.enterprise.context.ApplicationScoped;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.LongAdder;

/**
 * Per (model, version) counts of the requests a {@link TrafficSplit} routed on this replica: requests, errors (engine
 * failures and non-finite outputs, never a client's 4xx or backpressure) and a latency histogram over fixed buckets,
 * so histograms of several replicas add up and p50/p99 can be read from the sum. Whoever analyses rollouts drains it.
 */
@ApplicationScoped
public class VersionTraffic {

    /** Upper bounds of the latency buckets in microseconds: 100 µs × 1.25^i (about ±12 % per bucket), up to ~52 s. */
    public static final long[] BUCKET_MICROS = bounds();
    /** Buckets including the last, unbounded one. */
    public static final int BUCKETS = BUCKET_MICROS.length + 1;

    private static long[] bounds() {
        long[] bounds = new long[60];
        double bound = 100;
        for (int i = 0; i < bounds.length; i++) {
            bounds[i] = Math.round(bound);
            bound *= 1.25;
        }
        return bounds;
    }

    /** What one version counted since the last drain. */
    public record Counts(String model, int version, long requests, long errors, long[] latency) {
    }

    private static final class Counter {
        final LongAdder requests = new LongAdder();
        final LongAdder errors = new LongAdder();
        final AtomicLongArray latency = new AtomicLongArray(BUCKETS);
    }

    private record Key(String model, int version) {
    }

    private final Map<Key, Counter> counters = new ConcurrentHashMap<>();

    public void record(String model, int version, long nanos, boolean error) {
        Counter counter = counters.computeIfAbsent(new Key(model, version), key -> new Counter());
        counter.requests.increment();
        if (error) {
            counter.errors.increment();
        }
        counter.latency.incrementAndGet(bucket(nanos / 1000));
    }

    /** A request that already counted answered with a non-finite output: an error of its version. */
    public void nonFinite(String model, int version) {
        counters.computeIfAbsent(new Key(model, version), key -> new Counter()).errors.increment();
    }

    static int bucket(long micros) {
        for (int i = 0; i < BUCKET_MICROS.length; i++) {
            if (micros <= BUCKET_MICROS[i]) {
                return i;
            }
        }
        return BUCKET_MICROS.length;
    }

    /** Everything counted since the last drain, and zero from now (a count racing the drain may be lost: these are statistics). */
    public List<Counts> drain() {
        List<Counts> drained = new ArrayList<>();
        for (Key key : List.copyOf(counters.keySet())) {
            Counter counter = counters.remove(key);
            if (counter == null) {
                continue;
            }
            long[] latency = new long[BUCKETS];
            for (int i = 0; i < BUCKETS; i++) {
                latency[i] = counter.latency.get(i);
            }
            long requests = counter.requests.sum();
            drained.add(new Counts(key.model(), key.version(), requests, Math.min(requests, counter.errors.sum()),
                    latency));
        }
        return drained;
    }
}
