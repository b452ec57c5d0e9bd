package dev.turnout.db;

import io.agroal.api.AgroalDataSource;
import jakarta.enterprise.context.ApplicationScoped;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Optional;

/**
 * The JDBC boilerplate of the stores: one statement on the datasource's connection, which inside a transaction is the
 * one Agroal enlisted in it (so {@code @Transactional} holds across stores), and autocommitted outside one. Parameters
 * are {@code ?1, ?2, ...} (a number may recur) or plain {@code ?} in order; a {@link Collection} binds as an array
 * ({@code = ANY(?1)}), an {@link Instant} as a timestamptz. A failure is a {@link DatabaseException} with the
 * driver's exception as its cause, where the error mapper reads its SQLState.
 */
@ApplicationScoped
public class Sql {

    /** Reads one row of a result. */
    @FunctionalInterface
    public interface Row<T> {
        T read(ResultSet row) throws SQLException;
    }

    private final AgroalDataSource dataSource;

    public Sql(AgroalDataSource dataSource) {
        this.dataSource = dataSource;
    }

    /** Runs an INSERT, UPDATE or DELETE; the number of rows it changed. */
    public int update(String sql, Object... parameters) {
        try (Connection connection = dataSource.getConnection();
             PreparedStatement statement = prepare(connection, sql, parameters)) {
            return statement.executeUpdate();
        } catch (SQLException e) {
            throw new DatabaseException(e);
        }
    }

    /** Every row of a query (or of a statement with RETURNING). */
    public <T> List<T> list(String sql, Row<T> reader, Object... parameters) {
        try (Connection connection = dataSource.getConnection();
             PreparedStatement statement = prepare(connection, sql, parameters);
             ResultSet rows = statement.executeQuery()) {
            List<T> read = new ArrayList<>();
            while (rows.next()) {
                read.add(reader.read(rows));
            }
            return read;
        } catch (SQLException e) {
            throw new DatabaseException(e);
        }
    }

    /** Every row of a query as its columns' values (JDBC's types: Long, Integer, String, Timestamp, ...). */
    public List<Object[]> rows(String sql, Object... parameters) {
        return list(sql, row -> {
            Object[] values = new Object[row.getMetaData().getColumnCount()];
            for (int i = 0; i < values.length; i++) {
                values[i] = row.getObject(i + 1);
            }
            return values;
        }, parameters);
    }

    /** The first row of a query, if any. */
    public <T> Optional<T> first(String sql, Row<T> reader, Object... parameters) {
        try (Connection connection = dataSource.getConnection();
             PreparedStatement statement = prepare(connection, sql, parameters);
             ResultSet rows = statement.executeQuery()) {
            return rows.next() ? Optional.ofNullable(reader.read(rows)) : Optional.empty();
        } catch (SQLException e) {
            throw new DatabaseException(e);
        }
    }

    /** The first column of a query's first row; null when it returns no row. */
    public Object value(String sql, Object... parameters) {
        return first(sql, row -> row.getObject(1), parameters).orElse(null);
    }

    /** The first column of the only row a query returns (a count, a RETURNING id). */
    public long oneLong(String sql, Object... parameters) {
        return first(sql, row -> row.getLong(1), parameters)
                .orElseThrow(() -> new IllegalStateException("no row from: " + sql));
    }

    /** A timestamptz column as an instant; null for NULL. */
    public static Instant instant(ResultSet row, String column) throws SQLException {
        OffsetDateTime value = row.getObject(column, OffsetDateTime.class);
        return value == null ? null : value.toInstant();
    }

    /** An integer column that may be NULL. */
    public static Integer nullableInt(ResultSet row, String column) throws SQLException {
        int value = row.getInt(column);
        return row.wasNull() ? null : value;
    }

    private static PreparedStatement prepare(Connection connection, String sql, Object[] parameters)
            throws SQLException {
        List<Object> bound = new ArrayList<>();
        String jdbc = numberedToPlain(sql, parameters, bound);
        PreparedStatement statement = connection.prepareStatement(jdbc);
        try {
            for (int i = 0; i < bound.size(); i++) {
                bind(connection, statement, i + 1, bound.get(i));
            }
            return statement;
        } catch (SQLException | RuntimeException e) {
            statement.close();
            throw e;
        }
    }

    /** {@code ?N} becomes {@code ?} with parameter N appended to {@code bound}; text in quotes is left alone. */
    static String numberedToPlain(String sql, Object[] parameters, List<Object> bound) {
        StringBuilder jdbc = new StringBuilder(sql.length());
        boolean quoted = false;
        int next = 0;
        for (int i = 0; i < sql.length(); i++) {
            char c = sql.charAt(i);
            if (c == '\'') {
                quoted = !quoted;
            }
            if (c != '?' || quoted) {
                jdbc.append(c);
                continue;
            }
            int end = i + 1;
            while (end < sql.length() && Character.isDigit(sql.charAt(end))) {
                end++;
            }
            int index = end == i + 1 ? next++ : Integer.parseInt(sql.substring(i + 1, end)) - 1;
            if (index >= parameters.length) {
                throw new IllegalArgumentException("no parameter " + (index + 1) + " for: " + sql);
            }
            bound.add(parameters[index]);
            jdbc.append('?');
            i = end - 1;
        }
        return jdbc.toString();
    }

    private static void bind(Connection connection, PreparedStatement statement, int index, Object value)
            throws SQLException {
        if (value == null) {
            statement.setNull(index, Types.NULL);
        } else if (value instanceof Instant instant) {
            statement.setObject(index, OffsetDateTime.ofInstant(instant, ZoneOffset.UTC));
        } else if (value instanceof Collection<?> values) {
            Object first = values.isEmpty() ? "" : values.iterator().next();
            String type = first instanceof Long ? "bigint" : first instanceof Integer ? "integer" : "text";
            statement.setArray(index, connection.createArrayOf(type, values.toArray()));
        } else {
            statement.setObject(index, value);
        }
    }
}
