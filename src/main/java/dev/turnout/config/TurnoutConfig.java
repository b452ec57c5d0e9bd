package dev.turnout.config;

import io.quarkus.runtime.configuration.MemorySize;
import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

import java.nio.file.Path;

/** Turnout's own settings ({@code turnout.*}); every default is stated here and in the README. */
@ConfigMapping(prefix = "turnout")
public interface TurnoutConfig {

    /** Where local state lives: the embedded database, upload spool, model cache. Default {@code ./data}. */
    @WithDefault("data")
    Path dataDir();

    Registry registry();

    Engine engine();

    interface Registry {
        /** Largest artifact an upload may carry. Default 2G. */
        @WithDefault("2G")
        MemorySize maxUploadSize();
    }

    interface Engine {
        /** Threads each ONNX Runtime session / PyTorch op may use; 1 lets parallel requests scale over cores. Default 1. */
        @WithDefault("1")
        int intraOpThreads();
    }
}
