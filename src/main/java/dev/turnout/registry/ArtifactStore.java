package dev.turnout.registry;

import dev.turnout.storage.BlobStore;
import dev.turnout.storage.BlobStores;
import dev.turnout.storage.ByteRange;
import dev.turnout.storage.ContentAddress;
import dev.turnout.storage.StoreKind;
import io.agroal.api.AgroalDataSource;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Event;
import jakarta.transaction.Transactional;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;

/**
 * Artifact rows and their bytes in a {@link BlobStore}, content-addressed: the same bytes uploaded twice share one
 * row and one blob. Each row names the store holding its bytes, so bytes written under an earlier
 * {@code turnout.artifacts.store} stay readable.
 *
 * <p>A blob is written inside the transaction that inserts its row, under a shared advisory lock on its key that the
 * {@link ArtifactCollector} takes exclusively before it deletes a blob no row references. So a crash between a store
 * write and the commit leaves at worst an unreferenced blob (collected later), never a row without bytes.
 */
@ApplicationScoped
public class ArtifactStore {

    private final AgroalDataSource dataSource;
    private final BlobStores stores;
    private final Event<ArtifactReleased> released;

    public ArtifactStore(AgroalDataSource dataSource, BlobStores stores, Event<ArtifactReleased> released) {
        this.dataSource = dataSource;
        this.stores = stores;
        this.released = released;
    }

    /**
     * Stores the file under its digest unless those bytes are already stored, and locks the artifact row (shared)
     * so a concurrent delete cannot free it before the caller's transaction commits.
     */
    @Transactional(Transactional.TxType.MANDATORY)
    public void store(Path file, String sha256, long size) {
        String key = ContentAddress.of(sha256);
        // Inside the transaction Agroal hands out the connection enlisted in it, so this commits or rolls back with it.
        try (Connection connection = dataSource.getConnection()) {
            holdKey(connection, key, true);
            if (lockShared(connection, sha256)) {
                return;
            }
            BlobStore store = stores.current();
            store.put(key, file);
            // A concurrent upload of the same bytes may commit its row first; theirs is used, and should it name
            // another store, the blob written here is unreferenced and the sweep collects it.
            insert(connection, sha256, size, store.kind(), key);
            if (!lockShared(connection, sha256)) {
                throw new IllegalStateException("artifact row vanished");
            }
        } catch (SQLException e) {
            throw new IllegalStateException("could not store the artifact", e);
        } catch (IOException e) {
            throw new UncheckedIOException("could not write the artifact to the " + stores.current().kind() + " store", e);
        }
    }

    /**
     * Deletes the row if no version references it any more: no model version, and no dataset version (datasets keep
     * their bytes, and their parsed columns, as artifacts too; named here in SQL only, so the registry does not
     * depend on them). Bytes in the postgres store go with it (the row's trigger); those in another store are deleted
     * once the transaction has committed.
     */
    @Transactional(Transactional.TxType.MANDATORY)
    public void deleteIfUnreferenced(String sha256) {
        try (Connection connection = dataSource.getConnection()) {
            // Lock first: an upload holding the row shared finishes, then this statement sees its version.
            try (PreparedStatement lock = connection.prepareStatement(
                    "SELECT 1 FROM artifact WHERE sha256 = ? FOR UPDATE")) {
                lock.setString(1, sha256);
                lock.executeQuery().close();
            }
            try (PreparedStatement delete = connection.prepareStatement(
                    "DELETE FROM artifact a WHERE a.sha256 = ? AND NOT EXISTS "
                            + "(SELECT 1 FROM model_version v WHERE v.sha256 = a.sha256) AND NOT EXISTS "
                            + "(SELECT 1 FROM dataset_version d WHERE d.sha256 = a.sha256 OR d.parsed_sha256 = a.sha256) "
                            + "RETURNING store, storage_key")) {
                delete.setString(1, sha256);
                try (ResultSet rows = delete.executeQuery()) {
                    if (rows.next()) {
                        released.fire(new ArtifactReleased(StoreKind.parse(rows.getString(1)).orElseThrow(),
                                rows.getString(2)));
                    }
                }
            }
        } catch (SQLException e) {
            throw new IllegalStateException("could not delete the artifact", e);
        }
    }

    /** The bytes of a stored artifact (or a range of them), each store reading in its own short transaction if any. */
    public InputStream open(StoredArtifact artifact, ByteRange range) throws IOException {
        return stores.get(artifact.store()).open(artifact.storageKey(), range);
    }

    /** Streams the bytes of a stored artifact. */
    public void copyTo(StoredArtifact artifact, OutputStream out) throws IOException {
        try (InputStream in = open(artifact, ByteRange.ALL)) {
            in.transferTo(out);
        }
    }

    /** Copies a stored artifact into a local file; a store may fetch a large one in parallel ranges. */
    public void download(StoredArtifact artifact, Path target) throws IOException {
        stores.get(artifact.store()).download(artifact.storageKey(), target);
    }

    /**
     * Takes the advisory lock of a blob key for the rest of the transaction: shared by writers of the key, exclusive
     * for the collector, so no blob is deleted between its write and the commit of the row that references it.
     */
    static void holdKey(Connection connection, String key, boolean shared) throws SQLException {
        try (PreparedStatement lock = connection.prepareStatement("SELECT pg_advisory_xact_lock"
                + (shared ? "_shared" : "") + "(hashtextextended(?, 0))")) {
            lock.setString(1, key);
            lock.executeQuery().close();
        }
    }

    private static boolean lockShared(Connection connection, String sha256) throws SQLException {
        try (PreparedStatement select = connection.prepareStatement(
                "SELECT 1 FROM artifact WHERE sha256 = ? FOR SHARE")) {
            select.setString(1, sha256);
            try (ResultSet rows = select.executeQuery()) {
                return rows.next();
            }
        }
    }

    private static void insert(Connection connection, String sha256, long size, StoreKind store, String key)
            throws SQLException {
        try (PreparedStatement insert = connection.prepareStatement("INSERT INTO artifact (sha256, size_bytes, store, "
                + "storage_key) VALUES (?, ?, ?, ?) ON CONFLICT (sha256) DO NOTHING")) {
            insert.setString(1, sha256);
            insert.setLong(2, size);
            insert.setString(3, store.id());
            insert.setString(4, key);
            insert.executeUpdate();
        }
    }

    /** Where bytes were when their row was deleted; collected once that deletion committed. */
    public record ArtifactReleased(StoreKind store, String key) {
    }
}
