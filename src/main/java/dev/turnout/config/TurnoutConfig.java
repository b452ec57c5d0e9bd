package dev.turnout.config;

import io.quarkus.runtime.configuration.MemorySize;
import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;

/** Turnout's own settings ({@code turnout.*}); every default is stated here and in the README. */
@ConfigMapping(prefix = "turnout")
public interface TurnoutConfig {

    /** Where local state lives: the embedded database, upload spool, model cache. Default {@code ./data}. */
    @WithDefault("data")
    Path dataDir();

    Registry registry();

    Engine engine();

    Serving serving();

    interface Registry {
        /** Largest artifact an upload may carry. Default 2G. */
        @WithDefault("2G")
        MemorySize maxUploadSize();
    }

    interface Serving {
        /** The model {@code POST /predict} serves (the original Flask service's one model). Unset: /predict answers 404. */
        Optional<String> defaultModel();

        /** Predictors per loaded model: how many requests run on it at once. 0 means one per CPU core. Default 0. */
        @WithDefault("0")
        int predictorsPerModel();

        /** Requests that may wait for a busy model's predictor; the next gets 503 with Retry-After. Default 128. */
        @WithDefault("128")
        int maxQueuedRequests();

        /** Non-active versions kept loaded for {@code /versions/{v}} requests, least recently used evicted. Default 2. */
        @WithDefault("2")
        int versionCacheSize();

        /** Inferences on zeros run on a freshly loaded version before it takes traffic. Default 3. */
        @WithDefault("3")
        int warmupInferences();

        /** How often a replica re-reads the active versions from the database. Default 10s. */
        @WithDefault("10s")
        Duration reconcileInterval();

        /** Largest inference request body. Default 16M. */
        @WithDefault("16M")
        MemorySize maxRequestSize();

        /** Most elements one input tensor may have. Default 4194304. */
        @WithDefault("4194304")
        int maxTensorElements();

        /** Most input tensors in one request. Default 64. */
        @WithDefault("64")
        int maxInputs();

        /** Deepest JSON nesting an inference request may use. Default 32. */
        @WithDefault("32")
        int maxJsonDepth();
    }

    interface Engine {
        /** Threads each ONNX Runtime session / PyTorch op may use; 1 lets parallel requests scale over cores. Default 1. */
        @WithDefault("1")
        int intraOpThreads();
    }
}
