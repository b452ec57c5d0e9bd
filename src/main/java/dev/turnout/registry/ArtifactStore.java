package dev.turnout.registry;

import io.agroal.api.AgroalDataSource;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.transaction.Transactional;
import org.postgresql.PGConnection;
import org.postgresql.largeobject.LargeObject;
import org.postgresql.largeobject.LargeObjectManager;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.OptionalLong;

/**
 * Artifact bytes as PostgreSQL large objects, streamed in and out in chunks so no artifact is ever held whole in
 * memory. Content-addressed: the same bytes uploaded twice share one large object.
 */
@ApplicationScoped
public class ArtifactStore {

    // 256 KiB: large round trips to PostgreSQL, yet below G1's humongous-object size on small heaps
    private static final int CHUNK = 256 << 10;

    private final AgroalDataSource dataSource;

    public ArtifactStore(AgroalDataSource dataSource) {
        this.dataSource = dataSource;
    }

    /**
     * Stores the file under its digest unless those bytes are already stored, and locks the artifact row (shared)
     * so a concurrent delete cannot free it before the caller's transaction commits.
     */
    @Transactional(Transactional.TxType.MANDATORY)
    public void store(Path file, String sha256, long size) {
        // Inside the transaction Agroal hands out the connection Hibernate uses, so this commits or rolls back with it.
        try (Connection connection = dataSource.getConnection()) {
            if (lockShared(connection, sha256).isPresent()) {
                return;
            }
            LargeObjectManager objects = connection.unwrap(PGConnection.class).getLargeObjectAPI();
            long oid = objects.createLO(LargeObjectManager.READWRITE);
            try (LargeObject blob = objects.open(oid, LargeObjectManager.WRITE);
                 InputStream in = Files.newInputStream(file)) {
                byte[] chunk = new byte[CHUNK];
                for (int n = in.read(chunk); n >= 0; n = in.read(chunk)) {
                    blob.write(chunk, 0, n);
                }
            }
            if (!insert(connection, sha256, size, oid)) {
                // The same bytes were committed meanwhile by a concurrent upload: use theirs.
                objects.unlink(oid);
            }
            lockShared(connection, sha256).orElseThrow(() -> new IllegalStateException("artifact row vanished"));
        } catch (SQLException e) {
            throw new IllegalStateException("could not store the artifact", e);
        } catch (IOException e) {
            throw new UncheckedIOException("could not read the spooled upload", e);
        }
    }

    /** Frees the bytes if no version references them any more (the row's trigger unlinks the large object). */
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
                            + "(SELECT 1 FROM model_version v WHERE v.sha256 = a.sha256)")) {
                delete.setString(1, sha256);
                delete.executeUpdate();
            }
        } catch (SQLException e) {
            throw new IllegalStateException("could not delete the artifact", e);
        }
    }

    /** Streams the bytes of a stored artifact in its own short read transaction. */
    public void copyTo(long blobOid, OutputStream out) throws IOException {
        try (Connection connection = dataSource.getConnection()) {
            boolean autoCommit = connection.getAutoCommit();
            connection.setAutoCommit(false); // large objects are only readable inside a transaction
            try {
                LargeObjectManager objects = connection.unwrap(PGConnection.class).getLargeObjectAPI();
                try (LargeObject blob = objects.open(blobOid, LargeObjectManager.READ)) {
                    byte[] chunk = new byte[CHUNK];
                    for (int n = blob.read(chunk, 0, CHUNK); n > 0; n = blob.read(chunk, 0, CHUNK)) {
                        out.write(chunk, 0, n);
                    }
                }
                connection.commit();
            } finally {
                connection.setAutoCommit(autoCommit);
            }
        } catch (SQLException e) {
            throw new IOException("could not read the artifact from the database", e);
        }
    }

    private static OptionalLong lockShared(Connection connection, String sha256) throws SQLException {
        try (PreparedStatement select = connection.prepareStatement(
                "SELECT blob_oid FROM artifact WHERE sha256 = ? FOR SHARE")) {
            select.setString(1, sha256);
            try (ResultSet rows = select.executeQuery()) {
                return rows.next() ? OptionalLong.of(rows.getLong(1)) : OptionalLong.empty();
            }
        }
    }

    private static boolean insert(Connection connection, String sha256, long size, long oid) throws SQLException {
        try (PreparedStatement insert = connection.prepareStatement(
                "INSERT INTO artifact (sha256, size_bytes, blob_oid) VALUES (?, ?, ?) ON CONFLICT (sha256) DO NOTHING")) {
            insert.setString(1, sha256);
            insert.setLong(2, size);
            insert.setLong(3, oid);
            return insert.executeUpdate() == 1;
        }
    }
}
