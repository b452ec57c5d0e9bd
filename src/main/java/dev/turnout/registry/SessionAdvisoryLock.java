package dev.turnout.registry;

import org.jboss.logging.Logger;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * A PostgreSQL session advisory lock held around one piece of work, cluster-wide: taken without waiting on a
 * connection of its own, released when the work ends. A transaction-scoped lock would not do: the work commits many
 * transactions of its own on other connections. A release that fails (the connection broke during an hour-long copy)
 * neither replaces the work's answer nor leaves the lock behind in the pool.
 */
final class SessionAdvisoryLock {

    private static final Logger LOG = Logger.getLogger(SessionAdvisoryLock.class);

    private final DataSource dataSource;
    private final String name;

    /** {@code name} is hashed to the lock's key ({@code hashtext}); every holder of the same name excludes the others. */
    SessionAdvisoryLock(DataSource dataSource, String name) {
        this.dataSource = dataSource;
        this.name = name;
    }

    /**
     * Runs {@code work} (which returns non-null) holding the lock; empty, without running it, while another holds it.
     * The work's result or exception is the answer whatever the release does: a failed release is only logged.
     */
    <T> Optional<T> runIfFree(Supplier<T> work) {
        Connection session;
        try {
            session = dataSource.getConnection();
        } catch (SQLException e) {
            throw new IllegalStateException("could not take the advisory lock '" + name + "'", e);
        }
        boolean taken;
        try {
            taken = call(session, "pg_try_advisory_lock");
        } catch (SQLException | RuntimeException e) {
            discard(session); // whether the lock was taken is unknown: the session must not outlive this call
            throw new IllegalStateException("could not take the advisory lock '" + name + "'", e);
        }
        if (!taken) {
            close(session);
            return Optional.empty();
        }
        try {
            return Optional.of(work.get());
        } finally {
            release(session);
        }
    }

    /** Never throws: the work has run, and its answer (or failure) must reach the caller. */
    private void release(Connection session) {
        boolean released;
        try {
            released = call(session, "pg_advisory_unlock");
        } catch (SQLException | RuntimeException e) {
            LOG.warnf(e, "Could not release the advisory lock '%s'; aborting its connection instead, which ends the "
                    + "session and so frees the lock", name);
            discard(session);
            return;
        }
        if (!released) {
            LOG.warnf("The advisory lock '%s' was no longer held by its session when released", name);
        }
        close(session);
    }

    /**
     * Aborts rather than closes: closing a pooled connection hands it back to the pool with its session, and a session
     * still holding the lock would keep it for as long as the pool keeps the connection. Aborting closes the physical
     * connection, which the pool then drops.
     */
    private void discard(Connection session) {
        try {
            session.abort(Runnable::run);
        } catch (SQLException | RuntimeException e) {
            LOG.warnf(e, "Could not abort the connection of the advisory lock '%s'", name);
        }
    }

    private void close(Connection session) {
        try {
            session.close();
        } catch (SQLException | RuntimeException e) {
            LOG.warnf(e, "Could not close the connection of the advisory lock '%s'", name);
        }
    }

    private boolean call(Connection session, String function) throws SQLException {
        try (PreparedStatement lock = session.prepareStatement("SELECT " + function + "(hashtext(?))")) {
            lock.setString(1, name);
            try (ResultSet rows = lock.executeQuery()) {
                return rows.next() && rows.getBoolean(1);
            }
        }
    }
}
