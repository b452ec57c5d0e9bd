package dev.turnout;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

/**
 * SQL the tests run straight against the service's database, to see or set what the API does not show. Parameters
 * bind to the statement's {@code ?} placeholders in order.
 */
public final class TestDb {

    private TestDb() {
    }

    /** The first column of the first row, e.g. of {@code SELECT count(*) ...}. */
    public static long count(DataSource db, String sql, Object... params) throws SQLException {
        try (Connection connection = db.getConnection();
             PreparedStatement statement = prepare(connection, sql, params);
             ResultSet rows = statement.executeQuery()) {
            if (!rows.next()) {
                throw new AssertionError("no row from " + sql);
            }
            return rows.getLong(1);
        }
    }

    /** The first column of every row, as text. */
    public static List<String> column(DataSource db, String sql, Object... params) throws SQLException {
        List<String> values = new ArrayList<>();
        try (Connection connection = db.getConnection();
             PreparedStatement statement = prepare(connection, sql, params);
             ResultSet rows = statement.executeQuery()) {
            while (rows.next()) {
                values.add(rows.getString(1));
            }
        }
        return values;
    }

    /** Runs a statement (an update, or a query whose rows do not matter) and commits it. */
    public static void execute(DataSource db, String sql, Object... params) throws SQLException {
        try (Connection connection = db.getConnection()) {
            // One explicit transaction: a refused statement leaves nothing behind, whatever the pool's default.
            connection.setAutoCommit(false);
            try (PreparedStatement statement = prepare(connection, sql, params)) {
                statement.execute();
                connection.commit();
            } catch (SQLException e) {
                connection.rollback();
                throw e;
            }
        }
    }

    private static PreparedStatement prepare(Connection connection, String sql, Object... params) throws SQLException {
        PreparedStatement statement = connection.prepareStatement(sql);
        try {
            for (int i = 0; i < params.length; i++) {
                statement.setObject(i + 1, params[i]);
            }
            return statement;
        } catch (SQLException e) {
            statement.close();
            throw e;
        }
    }
}
