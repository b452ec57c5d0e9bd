package dev.turnout.delivery;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.enterprise.context.ApplicationScoped;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * {@code turnout_rollout_weight{model,version}}: the share in percent this replica routes to a candidate now (0 once
 * its rollout ended); {@code turnout_rollouts_total{model,outcome}}: rollouts ended here, outcome promoted or aborted.
 */
@ApplicationScoped
public class DeliveryMetrics {

    private final MeterRegistry registry;
    private final Map<String, AtomicInteger> weights = new ConcurrentHashMap<>();

    public DeliveryMetrics(MeterRegistry registry) {
        this.registry = registry;
    }

    void weight(String model, int version, int weight) {
        weights.computeIfAbsent(model + "\n" + version, key -> {
            AtomicInteger value = new AtomicInteger();
            Gauge.builder("turnout.rollout.weight", value, AtomicInteger::get)
                    .description("Percent of a model's requests this replica routes to its rollout candidate")
                    .tag("model", model).tag("version", Integer.toString(version)).register(registry);
            return value;
        }).set(weight);
    }

    /** Every candidate of {@code model} this replica routed to gets weight 0. */
    void noWeight(String model) {
        weights.forEach((key, value) -> {
            if (key.startsWith(model + "\n")) {
                value.set(0);
            }
        });
    }

    void ended(String model, RolloutState outcome) {
        registry.counter("turnout.rollouts", "model", model, "outcome", outcome.name().toLowerCase()).increment();
    }
}
