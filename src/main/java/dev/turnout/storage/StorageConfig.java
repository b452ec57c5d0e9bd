package dev.turnout.storage;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;

/** Where artifact bytes are written ({@code turnout.artifacts.*}); bytes written elsewhere earlier stay readable. */
@ConfigMapping(prefix = "turnout.artifacts")
public interface StorageConfig {

    /** The store new artifacts are written to: postgres, filesystem or s3. Default postgres (needs nothing else). */
    @WithDefault("postgres")
    StoreKind store();

    Filesystem filesystem();

    Sweep sweep();

    interface Filesystem {
        /**
         * The directory of the filesystem store, e.g. a ReadWriteMany volume every replica mounts at the same path.
         * Required when the store is filesystem, or to read artifacts written there earlier. No default.
         */
        Optional<Path> path();
    }

    interface Sweep {
        /**
         * Blobs that no artifact references (left by a crash between a store write and its commit) are deleted once
         * older than this. Longer than any upload's transaction (1 hour). Default 6h.
         */
        @WithDefault("6h")
        Duration grace();

        /** How often each replica sweeps. Default 1h. */
        @WithDefault("1h")
        Duration interval();
    }
}
