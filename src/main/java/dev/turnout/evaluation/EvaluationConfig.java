package dev.turnout.evaluation;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

import java.time.Duration;

/** Evaluations ({@code turnout.evaluation.*}); every default is stated here and in the README. */
@ConfigMapping(prefix = "turnout.evaluation")
public interface EvaluationConfig {

    /** Evaluations this replica runs at once, each on its own thread (never an inference thread). Default 1. */
    @WithDefault("1")
    int threads();

    /** Rows per model call. Default 256. */
    @WithDefault("256")
    int batchSize();

    /** How long a claim holds without renewal; a replica renews it every third of it while running. Default 30s. */
    @WithDefault("30s")
    Duration lease();

    /** How often an idle worker looks for queued (or abandoned) evaluations. Default 1s. */
    @WithDefault("1s")
    Duration pollInterval();

    /** Claims of one evaluation before it is marked FAILED (replicas died running it). Default 3. */
    @WithDefault("3")
    int maxAttempts();
}
