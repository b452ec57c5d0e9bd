package dev.turnout.rollout;

import dev.turnout.registry.ModelInfo;
import dev.turnout.registry.RegistryService;
import dev.turnout.serving.ModelServer;
import jakarta.enterprise.context.ApplicationScoped;
import org.jboss.logging.Logger;

/** Flips a model's active version: the pointer moves in the database, then this replica serves the new version. */
@ApplicationScoped
public class ActivationService {

    private static final Logger LOG = Logger.getLogger(ActivationService.class);

    private final RegistryService registry;
    private final ModelServer server;

    public ActivationService(RegistryService registry, ModelServer server) {
        this.registry = registry;
        this.server = server;
    }

    public ModelInfo activate(String name, int version, String reason) {
        ModelInfo model = registry.activate(name, version);
        LOG.infof("Activated %s version %d%s", name, version, reason == null ? "" : " (" + reason + ")");
        // Other replicas pick the change up when they next reconcile; this one loads it now.
        server.refresh(name);
        return model;
    }
}
