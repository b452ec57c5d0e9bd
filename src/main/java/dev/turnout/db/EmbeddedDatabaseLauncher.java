package dev.turnout.db;

import io.agroal.api.AgroalDataSource;
import io.quarkus.runtime.ShutdownEvent;
import jakarta.annotation.Priority;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.inject.Instance;
import jakarta.inject.Singleton;
import org.eclipse.microprofile.config.ConfigProvider;
import org.jboss.logging.Logger;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Optional;

/**
 * Starts the embedded PostgreSQL before Quarkus reads its datasource settings, when no datasource URL is configured,
 * and stops it last on shutdown. With {@code QUARKUS_DATASOURCE_JDBC_URL} (or the property) set, it does nothing.
 */
@Singleton
public class EmbeddedDatabaseLauncher {

    private static final Logger LOG = Logger.getLogger(EmbeddedDatabaseLauncher.class);
    private static final String URL_PROPERTY = "quarkus.datasource.jdbc.url";

    private static volatile EmbeddedDatabase running;

    /** Called from {@code main}, before Quarkus starts, with Turnout's data directory (whose lock it holds). */
    public static void startIfNoDatasourceConfigured(Path dataDir) throws IOException {
        if (ConfigProvider.getConfig().getOptionalValue(URL_PROPERTY, String.class).isPresent()) {
            return;
        }
        EmbeddedDatabase database = EmbeddedDatabase.start(dataDir.resolve("postgres"));
        System.setProperty(URL_PROPERTY, database.jdbcUrl());
        System.setProperty("quarkus.datasource.username", EmbeddedDatabase.USER);
        running = database;
        LOG.infof("No datasource URL configured (QUARKUS_DATASOURCE_JDBC_URL): started embedded PostgreSQL on port %d "
                + "with its data in %s", database.port(), database.dataDir());
    }

    /** The embedded server this process started, if any. */
    public static Optional<EmbeddedDatabase> running() {
        return Optional.ofNullable(running);
    }

    /** After every other shutdown observer; the pool is closed first, so no connection sees the server go away. */
    void stop(@Observes @Priority(Integer.MAX_VALUE) ShutdownEvent event, Instance<AgroalDataSource> pool) {
        EmbeddedDatabase database = running;
        if (database == null) {
            return;
        }
        if (pool.isResolvable()) {
            pool.get().close();
        }
        try {
            database.close();
            LOG.info("Stopped the embedded PostgreSQL");
        } catch (IOException e) {
            LOG.warn("Could not stop the embedded PostgreSQL cleanly", e);
        }
        running = null;
    }
}
