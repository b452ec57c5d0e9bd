package dev.turnout;

import dev.turnout.config.TurnoutConfig;
import dev.turnout.db.EmbeddedDatabaseLauncher;
import dev.turnout.serving.ModelServer;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

/**
 * One line, once the initial load is done, with what an operator checks first: where it listens, which database,
 * whether tokens are required, and how many active models it loaded.
 */
@ApplicationScoped
public class StartSummary {

    private static final Logger LOG = Logger.getLogger(StartSummary.class);

    private final ModelServer server;
    private final TurnoutConfig.Security security;
    private final int apiPort;
    private final int managementPort;

    public StartSummary(ModelServer server, TurnoutConfig config,
                        @ConfigProperty(name = "quarkus.http.port", defaultValue = "8080") int apiPort,
                        @ConfigProperty(name = "quarkus.management.port", defaultValue = "9000") int managementPort) {
        this.server = server;
        this.security = config.security();
        this.apiPort = apiPort;
        this.managementPort = managementPort;
    }

    void start(@Observes StartupEvent event) {
        server.whenInitialLoadDone().thenAccept(models -> LOG.infof(
                "Turnout started: API port %d, management port %d, database %s, security %s, models loaded %d of %d",
                apiPort, managementPort, database(), security(), models.loaded(), models.total()));
    }

    private static String database() {
        return EmbeddedDatabaseLauncher.running().map(db -> "embedded PostgreSQL (port " + db.port() + ")")
                .orElse("external PostgreSQL (quarkus.datasource.jdbc.url)");
    }

    private String security() {
        return security.enabled() ? "on (" + security.tokens().size() + " tokens)" : "off";
    }
}
