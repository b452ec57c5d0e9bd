package dev.turnout.serving;

import dev.turnout.registry.VersionUploader;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import jakarta.enterprise.context.ApplicationScoped;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Serving's Prometheus series (names after Micrometer's conversion): {@code turnout_predictions_total{model,version,
 * outcome}}, {@code turnout_prediction_duration_seconds}, {@code turnout_predictions_in_flight},
 * {@code turnout_model_load_duration_seconds}, {@code turnout_model_warmup_duration_seconds},
 * {@code turnout_model_load_failures_total}, {@code turnout_serving_version{model}}. They start at zero once a
 * version of a model is to be loaded as its target (see {@link #loading}).
 */
@ApplicationScoped
public class ServingMetrics {

    /** How a prediction ended. */
    public enum Outcome { OK, INVALID, OVERLOADED, UNAVAILABLE, ERROR }

    private final MeterRegistry registry;
    private final Map<String, AtomicInteger> servingVersions = new ConcurrentHashMap<>();

    public ServingMetrics(MeterRegistry registry) {
        this.registry = registry;
    }

    /** The meters of one loaded version, registered once so the request path only increments. */
    public final class VersionMeters {
        private final Timer duration;
        private final Counter[] outcomes = new Counter[Outcome.values().length];
        private final Gauge inFlight;

        private VersionMeters(ServedModel model) {
            Tags tags = Tags.of("model", model.name(), "version", Integer.toString(model.version()));
            duration = Timer.builder("turnout.prediction.duration").description("Prediction latency, engine included")
                    .tags(tags).publishPercentileHistogram().register(registry);
            for (Outcome outcome : Outcome.values()) {
                outcomes[outcome.ordinal()] = Counter.builder("turnout.predictions").description("Predictions by outcome")
                        .tags(tags).tag("outcome", outcome.name().toLowerCase()).register(registry);
            }
            inFlight = Gauge.builder("turnout.predictions.in.flight", model, ServedModel::inFlight)
                    .description("Requests holding this version right now").tags(tags).register(registry);
        }

        public void record(Outcome outcome, long nanos) {
            outcomes[outcome.ordinal()].increment();
            if (outcome == Outcome.OK) {
                duration.record(Duration.ofNanos(nanos));
            }
        }

        void unloaded() {
            registry.remove(inFlight);
        }
    }

    /**
     * A version of {@code model} is about to be loaded as its target: every per-model series of the README's table
     * starts at zero now, so an alert on it can fire on its first step (a series that does not exist never fires, and
     * {@code increase()} misses the first sample of a counter born at 1).
     */
    void loading(String model, int version) {
        Tags tags = Tags.of("model", model, "version", Integer.toString(version));
        loadFailures(tags);
        loadDuration(tags);
        warmupDuration(tags);
        registry.counter(VersionUploader.UPLOADED_BYTES, "model", model);
        servingVersion(model);
    }

    VersionMeters forVersion(ServedModel model, Duration load, Duration warmup) {
        Tags tags = Tags.of("model", model.name(), "version", Integer.toString(model.version()));
        loadDuration(tags).record(load);
        warmupDuration(tags).record(warmup);
        return new VersionMeters(model);
    }

    void loadFailed(String model, int version) {
        loadFailures(Tags.of("model", model, "version", Integer.toString(version))).increment();
    }

    private Counter loadFailures(Tags tags) {
        return Counter.builder("turnout.model.load.failures").description("Failed loads of a version")
                .tags(tags).register(registry);
    }

    private Timer loadDuration(Tags tags) {
        return Timer.builder("turnout.model.load.duration").description("Time to load a version into its engine")
                .tags(tags).register(registry);
    }

    private Timer warmupDuration(Tags tags) {
        return Timer.builder("turnout.model.warmup.duration").description("Time of a version's warm-up inferences")
                .tags(tags).register(registry);
    }

    /** The version this replica serves of {@code model} (0: none). */
    void serving(String model, int version) {
        servingVersion(model).set(version);
    }

    private AtomicInteger servingVersion(String model) {
        return servingVersions.computeIfAbsent(model, name -> {
            AtomicInteger value = new AtomicInteger();
            Gauge.builder("turnout.serving.version", value, AtomicInteger::get)
                    .description("The version of each model this replica serves").tag("model", name).register(registry);
            return value;
        });
    }
}
