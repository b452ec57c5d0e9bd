package dev.turnout.console;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.enterprise.context.ApplicationScoped;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashMap;
import java.util.Map;

/**
 * Requests per second and error rate of each served version, from this replica's own prediction counters
 * ({@code turnout.predictions{model,version,outcome}}, see serving's ServingMetrics). The counters are per replica
 * and not shared: the figures are this replica's. A rate is the counters' change since a sample at least
 * {@link #WINDOW} old (samples are taken whenever the console asks, and kept a minute).
 */
@ApplicationScoped
public class LiveRates {

    static final Duration WINDOW = Duration.ofSeconds(5);
    private static final Duration KEEP = Duration.ofMinutes(1);
    private static final String PREDICTIONS = "turnout.predictions";

    /** Requests per second and the share of them that failed (invalid input excluded: the caller's error). */
    public record Rate(double requestsPerSecond, double errorRate, long total) {
        public String requests() {
            return String.format(java.util.Locale.ROOT, "%.2f", requestsPerSecond);
        }

        public String errors() {
            return String.format(java.util.Locale.ROOT, "%.1f %%", errorRate * 100);
        }
    }

    private record Counts(long all, long failed) {
    }

    private record Sample(long nanos, Map<String, Counts> counts) {
    }

    private final MeterRegistry meters;
    private final Deque<Sample> samples = new ArrayDeque<>();

    public LiveRates(MeterRegistry meters) {
        this.meters = meters;
    }

    /** Rates of every version of {@code model} this replica has served, by version number. */
    public synchronized Map<Integer, Rate> of(String model) {
        Sample now = sample();
        Sample base = baseline(now.nanos());
        samples.addLast(now);
        Map<Integer, Rate> rates = new HashMap<>();
        String prefix = model + "\u0000";
        now.counts().forEach((key, counts) -> {
            if (!key.startsWith(prefix)) {
                return;
            }
            int version;
            try {
                version = Integer.parseInt(key.substring(prefix.length()));
            } catch (NumberFormatException e) {
                return;
            }
            Counts before = base == null ? null : base.counts().getOrDefault(key, new Counts(0, 0));
            double seconds = base == null ? 0 : (now.nanos() - base.nanos()) / 1e9;
            long requests = before == null ? 0 : counts.all() - before.all();
            long failed = before == null ? 0 : counts.failed() - before.failed();
            rates.put(version, new Rate(seconds > 0 ? requests / seconds : 0, requests > 0 ? (double) failed / requests : 0,
                    counts.all()));
        });
        return rates;
    }

    /** The newest sample at least WINDOW before {@code nanos} (or the oldest there is); old ones are dropped. */
    private Sample baseline(long nanos) {
        while (!samples.isEmpty() && nanos - samples.peekFirst().nanos() > KEEP.toNanos()) {
            samples.removeFirst();
        }
        Sample chosen = samples.peekFirst();
        for (Sample sample : samples) {
            if (nanos - sample.nanos() >= WINDOW.toNanos()) {
                chosen = sample;
            }
        }
        return chosen;
    }

    private Sample sample() {
        Map<String, Counts> counts = new HashMap<>();
        for (Counter counter : meters.find(PREDICTIONS).counters()) {
            String key = counter.getId().getTag("model") + "\u0000" + counter.getId().getTag("version");
            String outcome = counter.getId().getTag("outcome");
            long value = (long) counter.count();
            boolean failed = outcome != null && !outcome.equals("ok") && !outcome.equals("invalid");
            counts.merge(key, new Counts(value, failed ? value : 0),
                    (a, b) -> new Counts(a.all() + b.all(), a.failed() + b.failed()));
        }
        return new Sample(System.nanoTime(), counts);
    }
}
