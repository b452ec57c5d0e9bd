package dev.turnout.serving;

import dev.turnout.config.TurnoutConfig;
import dev.turnout.engine.LoadedModel;
import dev.turnout.engine.ModelLoader;
import dev.turnout.error.ErrorCode;
import dev.turnout.error.TurnoutException;
import dev.turnout.registry.ServableVersion;
import jakarta.enterprise.context.ApplicationScoped;

/**
 * A version loaded for one background job (an evaluation) the way serving loads it — the same artifact cache and
 * digest check, loader, translator and signature check — but as a private copy with its own single predictor, so the
 * job never takes a predictor, a queue slot or an inference thread from live traffic, and an eviction or flip never
 * closes it under the job. Close the lease to free it.
 */
@ApplicationScoped
public class DedicatedVersions {

    private final VersionLoader loader;

    public DedicatedVersions(ArtifactCache cache, ModelLoader loader, TurnoutConfig config) {
        this.loader = new VersionLoader(cache, loader, null, config.serving().warmupInferences());
    }

    /** Loads {@code version}; the lease closes the model when it is closed. 503 when it cannot be loaded. */
    public ServedModel.Lease load(ServableVersion version) {
        ServedModel model;
        try {
            model = loader.load(version, LoadedModel.PoolSize.SINGLE, state -> { });
        } catch (VersionLoader.LoadException e) {
            throw new TurnoutException(ErrorCode.UNAVAILABLE, "version " + version.version() + " of '"
                    + version.model() + "' cannot be loaded: " + e.getMessage());
        }
        ServedModel.Lease lease = model.tryLease();
        model.retire(); // closes when the lease is returned
        return lease;
    }
}
