package dev.turnout.dataset;

import dev.turnout.db.SqlStates;
import dev.turnout.error.TurnoutException;
import dev.turnout.registry.ArtifactStore;
import io.agroal.api.AgroalDataSource;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.narayana.jta.runtime.TransactionConfiguration;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.transaction.Transactional;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The datasets' writes, one transaction each. Bytes go to the artifact store the registry uses (content-addressed
 * artifact rows), so the blob sweep, store moves and the postgres store's triggers treat them as model artifacts.
 */
@ApplicationScoped
public class DatasetService {

    private final AgroalDataSource dataSource;
    private final ArtifactStore artifacts;
    private final DatasetCatalog catalog;

    public DatasetService(AgroalDataSource dataSource, ArtifactStore artifacts, DatasetCatalog catalog) {
        this.dataSource = dataSource;
        this.artifacts = artifacts;
        this.catalog = catalog;
    }

    /**
     * Records a scanned upload as the dataset's next version: stores the bytes (and the parsed columns, if any) first
     * (no lock held), then creates the dataset on first upload and takes the next number under its row's lock, held
     * only for the short insert (concurrent uploads queue there and get distinct numbers). One transaction: a crash
     * leaves no row behind (and a blob written outside PostgreSQL is unreferenced, for the sweep).
     */
    @Transactional(Transactional.TxType.REQUIRED)
    @TransactionConfiguration(timeout = 3600) // storing a multi-GiB file outlasts the 60 s default
    public DatasetVersion add(DatasetUpload upload, DatasetScan scan, long size, ParsedColumnsWriter.Parsed parsed,
                              String actor) {
        artifacts.store(upload.data(), scan.sha256(), size);
        if (parsed != null) {
            artifacts.store(parsed.file(), parsed.sha256(), parsed.size());
        }
        try (Connection connection = dataSource.getConnection()) {
            try (PreparedStatement insert = connection.prepareStatement(
                    "INSERT INTO dataset (name) VALUES (?) ON CONFLICT (name) DO NOTHING")) {
                insert.setString(1, upload.name());
                insert.executeUpdate();
            }
            long datasetId;
            int number;
            try (PreparedStatement next = connection.prepareStatement("UPDATE dataset SET next_version = "
                    + "next_version + 1 WHERE name = ? RETURNING id, next_version - 1")) {
                next.setString(1, upload.name());
                try (ResultSet rows = next.executeQuery()) {
                    rows.next();
                    datasetId = rows.getLong(1);
                    number = rows.getInt(2);
                }
            }
            try (PreparedStatement insert = connection.prepareStatement("INSERT INTO dataset_version (dataset_id, "
                    + "version, format, sha256, row_count, malformed_rows, columns, problems, description, tags, actor, "
                    + "parsed_sha256, parsed_columns) VALUES (?, ?, ?, ?, ?, ?, ?::jsonb, ?::jsonb, ?, ?::jsonb, ?, ?, "
                    + "?::jsonb)")) {
                insert.setLong(1, datasetId);
                insert.setInt(2, number);
                insert.setString(3, scan.format().id());
                insert.setString(4, scan.sha256());
                insert.setLong(5, scan.rowCount());
                insert.setLong(6, scan.malformedRows());
                insert.setString(7, DatasetJson.write(scan.columns()));
                insert.setString(8, DatasetJson.write(scan.problems()));
                insert.setString(9, upload.description());
                insert.setString(10, DatasetJson.write(upload.tags() == null ? Map.of() : upload.tags()));
                insert.setString(11, actor);
                insert.setString(12, parsed == null ? null : parsed.sha256());
                insert.setString(13, parsed == null ? null : DatasetJson.write(parsed.columns()));
                insert.executeUpdate();
            }
            return catalog.version(upload.name(), number);
        } catch (SQLException e) {
            throw new IllegalStateException("could not record the dataset version", e);
        }
    }

    /**
     * Removes a version, and its bytes once nothing else (a model version, another dataset version) shares them.
     * Refused (409, naming them) while rows of another table reference it, such as evaluations that ran on it.
     */
    public void delete(String name, int version) {
        long id = catalog.versionId(name, version);
        try {
            QuarkusTransaction.requiringNew().run(() -> deleteRow(id));
        } catch (RuntimeException e) {
            if (SqlStates.isForeignKeyViolation(e)) { // a row elsewhere (an evaluation) references it
                throw inUse(name, version, id);
            }
            throw e;
        }
    }

    private void deleteRow(long id) {
        try (Connection connection = dataSource.getConnection()) {
            String sha256;
            String parsedSha256;
            try (PreparedStatement delete = connection.prepareStatement(
                    "DELETE FROM dataset_version WHERE id = ? RETURNING sha256, parsed_sha256")) {
                delete.setLong(1, id);
                try (ResultSet rows = delete.executeQuery()) {
                    if (!rows.next()) {
                        return; // deleted by a concurrent call meanwhile: the end is the same
                    }
                    sha256 = rows.getString(1);
                    parsedSha256 = rows.getString(2);
                }
            }
            artifacts.deleteIfUnreferenced(sha256);
            if (parsedSha256 != null) {
                artifacts.deleteIfUnreferenced(parsedSha256);
            }
        } catch (SQLException e) {
            throw new IllegalStateException("could not delete the dataset version", e);
        }
    }

    /**
     * 409 naming what references the version. The referencing tables are read from the catalog's foreign keys, so
     * this names evaluations (or anything added later) without knowing their tables.
     */
    private TurnoutException inUse(String name, int version, long id) {
        List<String> users = QuarkusTransaction.requiringNew().call(() -> references(id));
        return TurnoutException.conflict("dataset '" + name + "' version " + version + " is in use by "
                + (users.isEmpty() ? "another record" : String.join("; ", users)) + "; a version something was "
                + "evaluated on is kept so its results stay traceable: delete those first");
    }

    private List<String> references(long id) throws SQLException {
        List<String> users = new ArrayList<>();
        try (Connection connection = dataSource.getConnection();
             PreparedStatement keys = connection.prepareStatement("SELECT c.conrelid::regclass::text, "
                     + "quote_ident(a.attname), EXISTS (SELECT 1 FROM pg_attribute i WHERE i.attrelid = c.conrelid "
                     + "AND i.attname = 'id' AND NOT i.attisdropped) FROM pg_constraint c JOIN pg_attribute a "
                     + "ON a.attrelid = c.conrelid AND a.attnum = c.conkey[1] WHERE c.contype = 'f' "
                     + "AND c.confrelid = 'dataset_version'::regclass AND cardinality(c.conkey) = 1 ORDER BY 1, 2");
             ResultSet rows = keys.executeQuery()) {
            while (rows.next()) {
                String table = rows.getString(1);
                String column = rows.getString(2);
                boolean hasId = rows.getBoolean(3);
                // table and column come from the catalog, already quoted: no client text reaches this statement
                try (PreparedStatement select = connection.prepareStatement("SELECT count(*) OVER (), "
                        + (hasId ? "id::text" : "NULL") + " FROM " + table + " WHERE " + column + " = ? ORDER BY "
                        + (hasId ? table + ".id" : "1") + " LIMIT 10")) {
                    select.setLong(1, id);
                    try (ResultSet referencing = select.executeQuery()) {
                        List<String> ids = new ArrayList<>();
                        long count = 0;
                        while (referencing.next()) {
                            count = referencing.getLong(1);
                            if (referencing.getString(2) != null) {
                                ids.add(referencing.getString(2));
                            }
                        }
                        if (count > 0) {
                            users.add(count + " " + table + (ids.isEmpty() ? "" : " (id " + String.join(", ", ids)
                                    + (count > ids.size() ? ", …" : "") + ")"));
                        }
                    }
                }
            }
        }
        return users;
    }
}
