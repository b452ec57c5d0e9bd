package dev.turnout.rollout;

import dev.turnout.config.TurnoutConfig;
import dev.turnout.serving.ModelServer;
import dev.turnout.serving.BackgroundLoop;
import dev.turnout.serving.ServingEvent;
import dev.turnout.serving.VersionState;
import io.agroal.api.AgroalDataSource;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.jboss.logging.Logger;

import java.net.InetAddress;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Records in the database that this replica is alive and what it serves, so {@code GET /api/models/{name}} and a
 * waiting flip can see every replica. Writes never block serving: a database outage only delays them.
 */
@ApplicationScoped
public class ReplicaTracker {

    private static final Logger LOG = Logger.getLogger(ReplicaTracker.class);
    private static final String UPSERT_MODEL = "INSERT INTO replica_model (replica_id, model_id, serving, target, state, error, updated_at) "
            + "SELECT ?, id, ?, ?, ?, ?, now() FROM model WHERE name = ? "
            + "ON CONFLICT (replica_id, model_id) DO UPDATE SET serving = EXCLUDED.serving, target = EXCLUDED.target, "
            + "state = EXCLUDED.state, error = EXCLUDED.error, updated_at = now()";

    private final AgroalDataSource dataSource;
    private final ModelServer server;
    private final TurnoutConfig.Rollout config;
    private final String replicaId;
    private final BackgroundLoop heartbeat = new BackgroundLoop("turnout-heartbeat");
    /**
     * Serialises state writes: a heartbeat takes its snapshot and writes it under this lock, so it can never write
     * an older state over a newer event written meanwhile (the event waits, then writes last).
     */
    private final Object writes = new Object();

    public ReplicaTracker(AgroalDataSource dataSource, ModelServer server, TurnoutConfig config) {
        this.dataSource = dataSource;
        this.server = server;
        this.config = config.rollout();
        this.replicaId = this.config.replicaId().orElseGet(ReplicaTracker::defaultId);
    }

    void start(@Observes StartupEvent event) {
        LOG.infof("This replica is '%s'", replicaId);
        heartbeat.repeat(Duration.ZERO, config.heartbeatInterval(), this::beat);
    }

    /** This replica's id, as its rows in {@code replica} and elsewhere name it. */
    public String replicaId() {
        return replicaId;
    }

    /** Whether the heartbeat still runs (liveness). */
    public boolean alive() {
        return heartbeat.alive();
    }

    void stop(@Observes ShutdownEvent event) {
        heartbeat.stop();
        try (Connection connection = dataSource.getConnection();
             PreparedStatement delete = connection.prepareStatement("DELETE FROM replica WHERE id = ?")) {
            delete.setString(1, replicaId);
            delete.executeUpdate();
        } catch (SQLException e) {
            LOG.debugf("Could not deregister replica %s: %s", replicaId, e.getMessage());
        }
    }

    void record(@Observes ServingEvent event) {
        synchronized (writes) {
            try (Connection connection = dataSource.getConnection()) {
                upsert(connection, event);
            } catch (SQLException e) {
                LOG.debugf("Could not record %s (the next heartbeat will): %s", event, e.getMessage());
            }
        }
    }

    /** Alive, plus a full account of what this replica serves (repairs anything missed during an outage). */
    private void beat() {
        synchronized (writes) {
            beatLocked();
        }
    }

    private void beatLocked() {
        try (Connection connection = dataSource.getConnection()) {
            try (PreparedStatement alive = connection.prepareStatement("INSERT INTO replica (id) VALUES (?) "
                    + "ON CONFLICT (id) DO UPDATE SET heartbeat_at = now()")) {
                alive.setString(1, replicaId);
                alive.executeUpdate();
            }
            for (ServingEvent state : server.states()) {
                upsert(connection, state);
            }
        } catch (SQLException | RuntimeException e) {
            LOG.debugf("Heartbeat failed: %s", e.getMessage());
        }
    }

    private void upsert(Connection connection, ServingEvent event) throws SQLException {
        try (PreparedStatement upsert = connection.prepareStatement(UPSERT_MODEL)) {
            upsert.setString(1, replicaId);
            upsert.setObject(2, event.serving());
            upsert.setObject(3, event.target());
            upsert.setString(4, event.state().name());
            upsert.setString(5, event.error() == null ? null : event.error().substring(0, Math.min(2000, event.error().length())));
            upsert.setString(6, event.model());
            upsert.executeUpdate();
        }
    }

    /** Every live replica and what it serves of {@code model}; replicas that have not reported on it have no state. */
    public List<ReplicaState> states(String model) {
        String sql = "SELECT r.id, rm.serving, rm.target, rm.state, rm.error, r.heartbeat_at FROM replica r "
                + "LEFT JOIN replica_model rm ON rm.replica_id = r.id AND rm.model_id = (SELECT id FROM model WHERE name = ?) "
                + "WHERE r.heartbeat_at > now() - make_interval(secs => ?) ORDER BY r.id";
        try (Connection connection = dataSource.getConnection();
             PreparedStatement select = connection.prepareStatement(sql)) {
            select.setString(1, model);
            select.setDouble(2, config.replicaTimeout().toMillis() / 1000.0);
            List<ReplicaState> states = new ArrayList<>();
            try (ResultSet rows = select.executeQuery()) {
                while (rows.next()) {
                    Timestamp heartbeatAt = rows.getTimestamp(6);
                    states.add(new ReplicaState(rows.getString(1), (Integer) rows.getObject(2),
                            (Integer) rows.getObject(3), VersionState.parse(rows.getString(4)), rows.getString(5),
                            heartbeatAt == null ? null : heartbeatAt.toInstant()));
                }
            }
            return states;
        } catch (SQLException e) {
            throw new IllegalStateException("could not read the replicas' states", e);
        }
    }

    private static String defaultId() {
        String host;
        try {
            host = InetAddress.getLocalHost().getHostName();
        } catch (Exception e) {
            host = "replica";
        }
        byte[] suffix = new byte[3];
        ThreadLocalRandom.current().nextBytes(suffix);
        return host + "-" + HexFormat.of().formatHex(suffix);
    }
}
