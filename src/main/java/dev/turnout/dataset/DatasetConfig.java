package dev.turnout.dataset;

import io.quarkus.runtime.configuration.MemorySize;
import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/** Dataset uploads ({@code turnout.datasets.*}). */
@ConfigMapping(prefix = "turnout.datasets")
public interface DatasetConfig {

    /**
     * Largest dataset file an upload may carry. Default 2G. No upload body may exceed turnout.registry.max-upload-size
     * (the HTTP body limit), so a larger value has no effect.
     */
    @WithDefault("2G")
    MemorySize maxUploadSize();

    /**
     * Whether a CSV upload's numeric columns are parsed once into a file of doubles stored beside it, which
     * evaluations then read instead of the text (the same figures, less work per row). Default true. Off: every
     * evaluation parses the text. Versions uploaded while it was off stay without.
     */
    @WithDefault("true")
    boolean parseColumns();
}
