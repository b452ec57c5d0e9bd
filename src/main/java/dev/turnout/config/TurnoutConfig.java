package dev.turnout.config;

import io.quarkus.runtime.configuration.MemorySize;
import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Turnout's own settings ({@code turnout.*}); every default is stated here and in the README. */
@ConfigMapping(prefix = "turnout")
public interface TurnoutConfig {

    /** Where local state lives: the embedded database, upload spool, model cache. Default {@code ./data}. */
    @WithDefault("data")
    Path dataDir();

    /** The deployment colour the Kubernetes manifests were built for (blue/green of the service itself). */
    @WithDefault("blue")
    String color();

    Registry registry();

    Engine engine();

    Serving serving();

    Rollout rollout();

    Security security();

    interface Security {
        /**
         * Require bearer tokens on the management API. Default true. It can be turned off in dev and test only (a
         * warning is logged); the prod profile refuses to start without it.
         */
        @WithDefault("true")
        boolean enabled();

        /** Predictions and model metadata require a token with the {@code predictor} role too. Default false. */
        @WithDefault("false")
        boolean predictionsRequireToken();

        /**
         * Tokens by name, e.g. {@code turnout.security.tokens.ci.sha256=<hex sha256 of the token>} and
         * {@code turnout.security.tokens.ci.roles=publisher}. Only hashes are configured, never tokens.
         */
        Map<String, Token> tokens();

        interface Token {
            /** Lower-case hex SHA-256 of the token. */
            String sha256();

            /** Any of publisher, operator, viewer, predictor. */
            List<String> roles();
        }
    }

    interface Rollout {
        /** How long a replaced version may finish its in-flight requests before it is closed anyway. Default 30s. */
        @WithDefault("30s")
        Duration drainTimeout();

        /** How often a replica records in the database that it is alive and what it serves. Default 2s. */
        @WithDefault("2s")
        Duration heartbeatInterval();

        /** A replica silent for longer is no longer counted as live. Default 10s. */
        @WithDefault("10s")
        Duration replicaTimeout();

        /** Longest {@code ?wait=} a flip may ask for. Default 5m. */
        @WithDefault("5m")
        Duration maxWait();

        /** This replica's id in the database; default: host name plus a random suffix. */
        Optional<String> replicaId();

        /**
         * Metric guards per model, e.g. {@code turnout.rollout.guards.fraud=accuracy >= 0.9, recall >= 0.8}: a flip to
         * a version that fails one is refused (409) unless it is forced.
         */
        Map<String, String> guards();
    }

    interface Registry {
        /** Largest artifact an upload may carry. Default 2G. */
        @WithDefault("2G")
        MemorySize maxUploadSize();

        /**
         * The formats an upload may have; others are refused (415) whether the upload names its format or it is
         * recognised. Default {@code onnx,torchscript}. (Names, parsed by the registry: config depends on no other
         * package.)
         */
        @WithDefault("onnx,torchscript")
        List<String> formats();

        /**
         * Prove TorchScript uploads (load and one inference) in a separate JVM, so a model that crashes PyTorch costs
         * a 422, not the replica. Default true.
         */
        @WithDefault("true")
        boolean isolateTorchscript();

        /** How long an isolated TorchScript proof may take before its process is killed (422). Default 120s. */
        @WithDefault("120s")
        Duration proofTimeout();

        /** Java heap of the isolated proof's JVM (PyTorch's own memory is native, outside it). Default 256M. */
        @WithDefault("256M")
        MemorySize proofMaxHeap();

        /** Further JVM options for the isolated proof's JVM, e.g. {@code -XX:ActiveProcessorCount=1}. Default none. */
        Optional<List<String>> proofJvmOptions();

        /**
         * How often the upload spool is swept of part files the multipart parser left behind; one is deleted once it
         * is older than this and no multipart request is in flight or started within it. Default 30s.
         */
        @WithDefault("30s")
        Duration spoolSweepInterval();
    }

    interface Serving {
        /** The model {@code POST /predict} serves (the original Flask service's one model). Unset: /predict answers 404. */
        Optional<String> defaultModel();

        /** Predictors per loaded model: how many requests run on it at once. 0 means one per CPU core. Default 0. */
        @WithDefault("0")
        int predictorsPerModel();

        /** Threads that run predictions (all models together). 0 means one per CPU core. Default 0. */
        @WithDefault("0")
        int inferenceThreads();

        /**
         * Prediction requests that may wait for an inference thread (and, per model, for a busy predictor); the next
         * gets 503 with Retry-After. Default 128.
         */
        @WithDefault("128")
        int maxQueuedRequests();

        /**
         * Models that may have an active version at once (every replica loads each); a flip that would activate one
         * more is refused (409). Default 64.
         */
        @WithDefault("64")
        int maxActiveModels();

        /**
         * Versions other than the active one that may be loading for {@code /versions/{v}} requests at once; a request
         * that would start one more is refused with 503 and Retry-After. Default 1.
         */
        @WithDefault("1")
        int maxConcurrentLoads();

        /** Non-active versions kept loaded for {@code /versions/{v}} requests, least recently used evicted. Default 2. */
        @WithDefault("2")
        int versionCacheSize();

        /** Inferences on zeros run on a freshly loaded version before it takes traffic. Default 3. */
        @WithDefault("3")
        int warmupInferences();

        /** The request-path warm-up that runs before readiness turns UP (README "Readiness"). */
        Warmup warmup();

        interface Warmup {
            /**
             * Before readiness turns UP, send predictions over loopback through the real HTTP stack (JSON, validation,
             * engine) to every active model, so a replica is ready at full speed. Default true.
             */
            @WithDefault("true")
            boolean enabled();

            /**
             * Least requests per active model and form (OIP v2; {@code /predict} too for the default model); past it
             * the warm-up goes on while the answers still come faster or the JIT still compiles. Default 2000.
             */
            @WithDefault("2000")
            int requests();

            /** Most requests per active model and form. Default 200000. */
            @WithDefault("200000")
            int maxRequests();

            /**
             * Most time the warm-up of all models together may take; readiness turns UP then anyway. Each form gets an
             * equal share of the time left when it starts. Default 30s: on two CPUs C2 compiles the request path for
             * ~20 s, and shorter budgets left replicas at 40-70 % of steady state after ready (bench/README.md "Cold
             * start" run 7).
             */
            @WithDefault("30s")
            Duration timeout();

            /** Connections the warm-up sends over at once (each one request at a time). Default 8. */
            @WithDefault("8")
            int connections();
        }

        /**
         * Most bytes the artifact cache ({@code <data-dir>/cache}) keeps on disk; past it the least recently used
         * artifacts are deleted, never one a served version was loaded from. Default 20G.
         */
        @WithDefault("20G")
        MemorySize cacheMaxSize();

        /** How often a replica re-reads the active versions from the database. Default 10s. */
        @WithDefault("10s")
        Duration reconcileInterval();

        /** Largest inference request body. Default 16M. */
        @WithDefault("16M")
        MemorySize maxRequestSize();

        /**
         * Body bytes all inference requests and management JSON bodies in flight may hold together; a request that
         * does not fit is refused with 503 and Retry-After before its body is read. Default: an eighth of the
         * maximum heap (never below max-request-size, nor the largest management JSON body).
         */
        Optional<MemorySize> maxInFlightBytes();

        /** Most elements one input tensor may have. Default 4194304. */
        @WithDefault("4194304")
        int maxTensorElements();

        /**
         * Most elements one output tensor of a prediction may have (16777216 FP32 elements are 64 MiB on the heap, and
         * more as JSON); a prediction over it is refused (400) before its output is copied out of the engine.
         * Default 16777216.
         */
        @WithDefault("16777216")
        int maxOutputElements();

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
