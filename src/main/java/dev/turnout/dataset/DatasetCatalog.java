package dev.turnout.dataset;

import dev.turnout.error.TurnoutException;
import dev.turnout.storage.BlobStores;
import dev.turnout.storage.StoreKind;
import io.agroal.api.AgroalDataSource;
import io.quarkus.narayana.jta.QuarkusTransaction;
import jakarta.enterprise.context.ApplicationScoped;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads dataset versions: what they are, and their rows streamed from the artifact store. What evaluations build on;
 * {@link DatasetService} writes.
 */
@ApplicationScoped
public class DatasetCatalog {

    private static final String VERSION_COLUMNS = "v.id, d.name, v.version, v.format, v.sha256, a.size_bytes, "
            + "v.row_count, v.columns::text, v.malformed_rows, v.problems::text, v.description, v.tags::text, v.actor, "
            + "v.created_at, a.store, a.storage_key, v.parsed_columns::text, p.store, p.storage_key "
            + "FROM dataset_version v JOIN dataset d ON d.id = v.dataset_id JOIN artifact a ON a.sha256 = v.sha256 "
            + "LEFT JOIN artifact p ON p.sha256 = v.parsed_sha256";

    private final AgroalDataSource dataSource;
    private final BlobStores stores;

    public DatasetCatalog(AgroalDataSource dataSource, BlobStores stores) {
        this.dataSource = dataSource;
        this.stores = stores;
    }

    /** One version; 404 when there is no such dataset or version. */
    public DatasetVersion version(String name, int version) {
        return stored(name, version).version();
    }

    /** The primary key of the version's row (dataset_version.id), for tables that reference it. 404 when absent. */
    public long versionId(String name, int version) {
        return stored(name, version).id();
    }

    /**
     * The version's rows, streamed from the store that holds its bytes, one at a time (memory stays bounded whatever
     * the size). Call it outside a transaction: the postgres store reads in a transaction of its own, on a connection
     * held until the rows are closed. 404 when there is no such dataset or version.
     */
    public DatasetRows openRows(String name, int version) {
        StoredDataset stored = stored(name, version);
        try {
            InputStream in = stores.get(stored.store()).open(stored.storageKey());
            return DatasetReaders.open(stored.format(), in, stored.version().columns());
        } catch (IOException e) {
            throw new UncheckedIOException("could not open dataset '" + name + "' version " + version + " in the "
                    + stored.store() + " store", e);
        }
    }

    /**
     * A version for a pass over all its rows (an evaluation): one look-up, then its rows from the text or, where it has
     * them, its parsed numeric columns. 404 when there is no such dataset or version.
     */
    public DatasetSource source(String name, int version) {
        return new DatasetSource(stored(name, version), stores);
    }

    /** The version and where its bytes are. */
    StoredDataset stored(String name, int version) {
        return inTransaction(connection -> {
            try (PreparedStatement select = connection.prepareStatement("SELECT " + VERSION_COLUMNS
                    + " WHERE d.name = ? AND v.version = ?")) {
                select.setString(1, name);
                select.setInt(2, version);
                try (ResultSet rows = select.executeQuery()) {
                    if (rows.next()) {
                        return stored(rows);
                    }
                }
            }
            throw exists(connection, name) ? TurnoutException.notFound("dataset '" + name + "' has no version " + version)
                    : unknownDataset(name);
        });
    }

    /** Datasets by name after {@code afterName} ("" for the first page), at most {@code limit}, and whether more follow. */
    public Page<DatasetInfo> datasets(String afterName, int limit) {
        return inTransaction(connection -> {
            List<DatasetInfo> found = new ArrayList<>();
            try (PreparedStatement select = connection.prepareStatement("SELECT d.name, d.created_at, max(v.version), "
                    + "count(v.id) FROM dataset d LEFT JOIN dataset_version v ON v.dataset_id = d.id WHERE d.name > ? "
                    + "GROUP BY d.id ORDER BY d.name LIMIT ?")) {
                select.setString(1, afterName);
                select.setInt(2, limit + 1);
                try (ResultSet rows = select.executeQuery()) {
                    while (rows.next()) {
                        int latest = rows.getInt(3);
                        found.add(new DatasetInfo(rows.getString(1), rows.getTimestamp(2).toInstant(),
                                rows.wasNull() ? null : latest, rows.getLong(4)));
                    }
                }
            }
            return Page.of(found, limit);
        });
    }

    /** A dataset's versions numbered above {@code afterVersion}, oldest first, at most {@code limit}. 404 when unknown. */
    public Page<DatasetVersion> versions(String name, int afterVersion, int limit) {
        return inTransaction(connection -> {
            if (!exists(connection, name)) {
                throw unknownDataset(name);
            }
            List<DatasetVersion> found = new ArrayList<>();
            try (PreparedStatement select = connection.prepareStatement("SELECT " + VERSION_COLUMNS
                    + " WHERE d.name = ? AND v.version > ? ORDER BY v.version LIMIT ?")) {
                select.setString(1, name);
                select.setInt(2, afterVersion);
                select.setInt(3, limit + 1);
                try (ResultSet rows = select.executeQuery()) {
                    while (rows.next()) {
                        found.add(stored(rows).version());
                    }
                }
            }
            return Page.of(found, limit);
        });
    }

    /** One page of a list; {@code more} when items follow the last one. */
    public record Page<T>(List<T> items, boolean more) {
        static <T> Page<T> of(List<T> fetched, int limit) {
            return fetched.size() > limit ? new Page<>(List.copyOf(fetched.subList(0, limit)), true)
                    : new Page<>(List.copyOf(fetched), false);
        }
    }

    static TurnoutException unknownDataset(String name) {
        return TurnoutException.notFound("no dataset named '" + name + "'");
    }

    private static boolean exists(Connection connection, String name) throws SQLException {
        try (PreparedStatement select = connection.prepareStatement("SELECT 1 FROM dataset WHERE name = ?")) {
            select.setString(1, name);
            try (ResultSet rows = select.executeQuery()) {
                return rows.next();
            }
        }
    }

    private static StoredDataset stored(ResultSet rows) throws SQLException {
        DatasetFormat format = DatasetFormat.parse(rows.getString(4)).orElseThrow();
        DatasetVersion version = new DatasetVersion(rows.getString(2), rows.getInt(3), format.id(), rows.getString(5),
                rows.getLong(6), rows.getLong(7), DatasetJson.columns(rows.getString(8)), rows.getLong(9),
                DatasetJson.problems(rows.getString(10)), rows.getString(11), DatasetJson.tags(rows.getString(12)),
                rows.getString(13), rows.getTimestamp(14).toInstant());
        String parsedColumns = rows.getString(17);
        StoredDataset.Parsed parsed = parsedColumns == null ? null : new StoredDataset.Parsed(
                DatasetJson.parsedColumns(parsedColumns), StoreKind.parse(rows.getString(18)).orElseThrow(),
                rows.getString(19));
        return new StoredDataset(rows.getLong(1), version, format, StoreKind.parse(rows.getString(15)).orElseThrow(),
                rows.getString(16), parsed);
    }

    private <T> T inTransaction(SqlWork<T> work) {
        return QuarkusTransaction.joiningExisting().call(() -> {
            try (Connection connection = dataSource.getConnection()) {
                return work.apply(connection);
            } catch (SQLException e) {
                throw new IllegalStateException("could not read datasets", e);
            }
        });
    }

    @FunctionalInterface
    interface SqlWork<T> {
        T apply(Connection connection) throws SQLException;
    }
}
