package dev.turnout.delivery;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

import java.time.Duration;
import java.util.Optional;

/** Progressive delivery ({@code turnout.delivery.*}); every default is stated here and in the README. */
@ConfigMapping(prefix = "turnout.delivery")
public interface DeliveryConfig {

    /**
     * A request header whose value keeps a caller on one side of a canary (e.g. {@code X-User-Id}): the same value
     * always gets the same version at a given weight. None by default: each request is drawn at random.
     */
    Optional<String> routingHeader();

    /** How often the analysing replica judges every rollout on the figures of all replicas. Default 5s. */
    @WithDefault("5s")
    Duration analysisInterval();

    /**
     * How often each replica reads the rollouts (loads a candidate, applies its weight) and reports its per-version
     * counts. An abort reaches every replica within this. Default 1s.
     */
    @WithDefault("1s")
    Duration syncInterval();

    /** The most steps a canary may have. Default 10. */
    @WithDefault("10")
    int maxSteps();

    /** The longest step_duration or shadow duration accepted. Default 24h. */
    @WithDefault("24h")
    Duration maxDuration();
}
