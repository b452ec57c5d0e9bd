package dev.turnout.registry;

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
 * transactions of its own on other connections.
 */
final class SessionAdvisoryLock {

    private final DataSource dataSource;
    private final String name;

    /** {@code name} is hashed to the lock's key ({@code hashtext}); every holder of the same name excludes the others. */
    SessionAdvisoryLock(DataSource dataSource, String name) {
        this.dataSource = dataSource;
        this.name = name;
    }

    /** Runs {@code work} (which returns non-null) holding the lock; empty, without running it, while another holds it. */
    <T> Optional<T> runIfFree(Supplier<T> work) {
        try (Connection session = dataSource.getConnection()) {
            if (!call(session, "pg_try_advisory_lock")) {
                return Optional.empty();
            }
            try {
                return Optional.of(work.get());
            } finally {
                call(session, "pg_advisory_unlock");
            }
        } catch (SQLException e) {
            throw new IllegalStateException("could not take the advisory lock '" + name + "'", e);
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
