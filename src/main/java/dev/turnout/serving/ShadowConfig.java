package dev.turnout.serving;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/** Shadow traffic ({@code turnout.delivery.shadow.*}); every default is stated here and in the README. */
@ConfigMapping(prefix = "turnout.delivery.shadow")
public interface ShadowConfig {

    /**
     * Shadow requests waiting for a shadow thread; when full, a sampled request is not mirrored (counted in
     * {@code turnout_shadow_dropped_total}), so the client never waits for the candidate. Default 64.
     */
    @WithDefault("64")
    int queueSize();

    /** Threads running the candidate, apart from the inference threads of live traffic. Default 1. */
    @WithDefault("1")
    int threads();

    /** Regression outputs agree when {@code |active - candidate| <= absolute + relative * |active|}. Default 1e-5. */
    @WithDefault("1e-5")
    double absoluteTolerance();

    /** See {@link #absoluteTolerance()}. Default 1e-3. */
    @WithDefault("1e-3")
    double relativeTolerance();
}
