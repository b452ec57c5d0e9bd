package dev.turnout.serving;

import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.HealthCheckResponseBuilder;
import org.eclipse.microprofile.health.Readiness;

/**
 * Ready once this replica has loaded (or tried and failed to load) the active version of every model and warmed the
 * request path of each through the real HTTP stack ({@link RequestPathWarmup}): ready means ready at full speed. It does not
 * depend on the database: a replica with its models in memory keeps serving through a database outage. Its data is the
 * current state: {@code loaded} counts the models whose target is served, {@code total} those plus the ones whose
 * target failed ({@code failed.<model>}; an older version may still serve them, see {@code serving.<model>}).
 */
@Readiness
@ApplicationScoped
public class ServingReadiness implements HealthCheck {

    private final ModelServer server;
    private final RequestPathWarmup warmup;

    public ServingReadiness(ModelServer server, RequestPathWarmup warmup) {
        this.server = server;
        this.warmup = warmup;
    }

    /** Ready to take traffic at full speed: every active version loaded or tried, its request path warmed. */
    public boolean ready() {
        return server.ready() && warmup.done();
    }

    @Override
    public HealthCheckResponse call() {
        ModelServer.StartupProgress startup = server.startup();
        HealthCheckResponseBuilder response = HealthCheckResponse.named("Active models loaded")
                .status(ready())
                .withData("loaded", startup.loaded())
                .withData("total", startup.total())
                .withData("detail", server.ready() || !startup.done() ? startup.detail() : "shutting down");
        server.serving().forEach((name, version) -> response.withData("serving." + name, version));
        server.failures().forEach((name, failure) -> response.withData("failed." + name, failure));
        response.withData("warmup", warmup.phase() + ": " + warmup.detail());
        warmup.results().forEach((name, result) -> response.withData("warmup." + name, result));
        return response.build();
    }
}
