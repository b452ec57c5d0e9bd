package dev.turnout.rollout;

import dev.turnout.events.WebhookDeliverer;
import dev.turnout.serving.ModelServer;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Liveness;

/**
 * Live while the loops that keep this replica in step with the database run: the reconcile loop, the activation
 * listener, the heartbeat and (with webhooks configured) the event deliverer. Each survives any error in a round; should one end anyway, the replica would serve stale
 * versions for good, so liveness turns DOWN and the orchestrator restarts it. Never asks the database.
 */
@Liveness
@ApplicationScoped
public class BackgroundLiveness implements HealthCheck {

    private final ModelServer server;
    private final ActivationListener listener;
    private final ReplicaTracker tracker;
    private final WebhookDeliverer deliverer;

    public BackgroundLiveness(ModelServer server, ActivationListener listener, ReplicaTracker tracker,
                              WebhookDeliverer deliverer) {
        this.deliverer = deliverer;
        this.server = server;
        this.listener = listener;
        this.tracker = tracker;
    }

    @Override
    public HealthCheckResponse call() {
        return HealthCheckResponse.named("Background loops running")
                .status(server.alive() && listener.alive() && tracker.alive() && deliverer.alive())
                .withData("reconcile", server.alive())
                .withData("activation-listener", listener.alive())
                .withData("heartbeat", tracker.alive())
                .withData("webhook-deliverer", deliverer.alive())
                .build();
    }
}
