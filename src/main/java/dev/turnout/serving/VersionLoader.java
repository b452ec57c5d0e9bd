package dev.turnout.serving;

import dev.turnout.engine.InvalidModelException;
import dev.turnout.engine.LoadedModel;
import dev.turnout.engine.ModelLoader;
import dev.turnout.registry.ServableVersion;
import org.jboss.logging.Logger;

import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.function.Consumer;

/** Turns a registered version into a {@link ServedModel}: fetch and verify its bytes, open, warm up, meter. */
final class VersionLoader {

    private static final Logger LOG = Logger.getLogger(VersionLoader.class);

    private final ArtifactCache cache;
    private final ModelLoader loader;
    private final ServingMetrics metrics;
    private final int warmups;

    VersionLoader(ArtifactCache cache, ModelLoader loader, ServingMetrics metrics, int warmups) {
        this.cache = cache;
        this.loader = loader;
        this.metrics = metrics;
        this.warmups = warmups;
    }

    /**
     * Loads {@code version} with a pool of {@code pool} predictors, telling {@code progress} when it moves from
     * fetching to loading.
     */
    ServedModel load(ServableVersion version, LoadedModel.PoolSize pool, Consumer<VersionState> progress)
            throws LoadException {
        Instant start = Instant.now();
        CachedArtifact artifact = null; // held while the version is served, so the cache never evicts its file
        try {
            progress.accept(VersionState.FETCHING);
            artifact = cache.acquire(version.artifact());
            progress.accept(VersionState.LOADING);
            LoadedModel model = loader.load(artifact.path(), version.artifact().format(), version.signature(), pool,
                    warmups);
            LOG.infof("Loaded %s version %d in %d ms (warm-up %d ms)", version.model(), version.version(),
                    Duration.between(start, Instant.now()).toMillis(), model.warmupTime().toMillis());
            ServedModel served = new ServedModel(version, model, artifact);
            if (metrics != null) {
                served.meters(metrics.forVersion(served, model.loadTime(), model.warmupTime()));
            }
            return served;
        } catch (IOException | ArtifactIntegrityException | InvalidModelException | RuntimeException e) {
            release(artifact);
            throw new LoadException(e.getMessage() != null ? e.getMessage() : e.getClass().getSimpleName(), e);
        } catch (LinkageError e) { // a native library that will not link: this version fails, the replica goes on
            release(artifact);
            throw new LoadException("the engine could not be linked: " + e.getMessage(), e);
        }
    }

    private static void release(CachedArtifact artifact) {
        if (artifact != null) {
            artifact.close();
        }
    }

    /** A version could not be fetched, verified, loaded or warmed up. */
    static final class LoadException extends Exception {
        LoadException(String message, Throwable cause) {
            super(message, cause);
        }
    }
}
