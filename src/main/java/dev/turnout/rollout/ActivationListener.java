package dev.turnout.rollout;

import dev.turnout.serving.ModelServer;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;
import org.postgresql.PGConnection;
import org.postgresql.PGNotification;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.LinkedHashSet;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;

/**
 * Hears every move of an active-version pointer at once (PostgreSQL LISTEN/NOTIFY, sent by a trigger on commit) and
 * has this replica serve the new version. On every (re)connect it reconciles in full, so notifications missed while
 * disconnected are caught up; the periodic reconcile covers the rest.
 */
@ApplicationScoped
public class ActivationListener {

    static final String CHANNEL = "turnout_active_version";
    private static final Logger LOG = Logger.getLogger(ActivationListener.class);

    private final ModelServer server;
    private final String url;
    private final Optional<String> username;
    private final Optional<String> password;
    private volatile boolean running;
    private Thread thread;

    public ActivationListener(ModelServer server,
                              @ConfigProperty(name = "quarkus.datasource.jdbc.url") String url,
                              @ConfigProperty(name = "quarkus.datasource.username") Optional<String> username,
                              @ConfigProperty(name = "quarkus.datasource.password") Optional<String> password) {
        this.server = server;
        this.url = url;
        this.username = username;
        this.password = password;
    }

    void start(@Observes StartupEvent event) {
        running = true;
        thread = new Thread(this::listen, "turnout-activation-listener");
        thread.setDaemon(true);
        thread.start();
    }

    void stop(@Observes ShutdownEvent event) {
        running = false;
        if (thread != null) {
            thread.interrupt();
        }
    }

    private void listen() {
        long backoff = 500;
        while (running) {
            Properties properties = new Properties();
            username.ifPresent(user -> properties.setProperty("user", user));
            password.ifPresent(secret -> properties.setProperty("password", secret));
            try (Connection connection = DriverManager.getConnection(url, properties)) {
                try (Statement statement = connection.createStatement()) {
                    statement.execute("LISTEN " + CHANNEL);
                }
                backoff = 500;
                LOG.debugf("Listening for activations on %s", CHANNEL);
                catchUp();
                PGConnection pg = connection.unwrap(PGConnection.class);
                while (running) {
                    PGNotification[] notifications = pg.getNotifications(1000);
                    if (notifications != null && notifications.length > 0) {
                        Set<String> models = new LinkedHashSet<>();
                        for (PGNotification notification : notifications) {
                            models.add(notification.getParameter());
                        }
                        models.forEach(this::refresh);
                    }
                }
            } catch (SQLException | RuntimeException e) {
                if (running) {
                    LOG.warnf("Lost the activation channel (%s); reconnecting in %d ms", e.getMessage(), backoff);
                }
            } catch (Throwable e) { // an Error must not end the listener: see BackgroundLoop
                LOG.errorf(e, "The activation listener failed (%s); reconnecting in %d ms", e, backoff);
            }
            if (running) {
                sleep(backoff);
                backoff = Math.min(backoff * 2, 30_000);
            }
        }
    }

    /** Whether the listener thread still runs (liveness). */
    public boolean alive() {
        return thread != null && thread.isAlive();
    }

    private void refresh(String model) {
        try {
            server.refresh(model, false);
        } catch (RuntimeException e) {
            LOG.warnf("Could not serve the new active version of %s yet (%s); the reconcile loop retries", model,
                    e.getMessage());
        }
    }

    private void catchUp() {
        try {
            server.reconcile();
        } catch (RuntimeException e) {
            LOG.warnf("Catch-up reconcile failed: %s", e.getMessage());
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
