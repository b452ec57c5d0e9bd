package dev.turnout.storage;

import io.agroal.api.AgroalDataSource;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.annotation.PreDestroy;
import jakarta.transaction.Transactional;
import org.jboss.logging.Logger;
import org.postgresql.PGConnection;
import org.postgresql.largeobject.LargeObject;
import org.postgresql.largeobject.LargeObjectManager;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;

/**
 * Blobs in PostgreSQL: as large objects mapped from their keys by the table {@code blob_large_object}, or, with
 * {@code turnout.artifacts.postgres.write-chunks} (the default), as rows of bytea chunks written with one binary COPY
 * ({@link PostgresChunkedBlobs}). Both are read, whichever wrote a blob. Writes join the caller's
 * transaction, so bytes and the record that references them commit (or vanish) together; streamed both ways. A
 * streamed upload's chunks may be written while it arrives ({@link #writeWhileArriving}): that blob commits without a
 * key, and only the caller's transaction names it, so the same holds for it.
 */
@ApplicationScoped
public class PostgresBlobStore implements BlobStore {

    private static final Logger LOG = Logger.getLogger(PostgresBlobStore.class);

    // Reads: 256 KiB, below G1's humongous-object size on small heaps (the driver allocates an array per read).
    private static final int CHUNK = 256 << 10;
    // Writes: 1 MiB per lowrite call, a quarter of the round trips; the driver sends the caller's array as it is, so
    // this is one allocation per upload.
    private static final int WRITE_CHUNK = 1 << 20;

    /**
     * Uploads written while they arrive at once: each holds a database connection for as long as its body takes to
     * arrive, so a few slow uploads cannot take the pool; more uploads at once are written after they arrived.
     */
    static final int STAGED_AT_ONCE = 2;

    // Seed of the writers' advisory lock of a key; the registry's own lock of the key (ArtifactStore) uses seed 0.
    private static final int WRITER_LOCK_SEED = 1;

    private final AgroalDataSource dataSource;
    private final boolean writeChunks;
    private final Duration arrivalStallTimeout;
    private final Semaphore stagingSlots = new Semaphore(STAGED_AT_ONCE);
    /** By the spool file each was written from, so put() of that file finds it. */
    private final Map<Path, PostgresStagedBlob> staged = new ConcurrentHashMap<>();
    private final ExecutorService stagers = Executors.newCachedThreadPool(runnable -> {
        Thread thread = new Thread(runnable, "turnout-blob-stager");
        thread.setDaemon(true);
        return thread;
    });

    public PostgresBlobStore(AgroalDataSource dataSource, StorageConfig config) {
        this.dataSource = dataSource;
        this.writeChunks = config.postgres().writeChunks();
        this.arrivalStallTimeout = config.postgres().arrivalStallTimeout();
    }

    @Override
    public StoreKind kind() {
        return StoreKind.POSTGRES;
    }

    /**
     * With write-chunks on, writes the bytes while they arrive, in a transaction of their own, so the upload's
     * receive and its store write overlap; put() of the file then only names the blob. Unless
     * {@value #STAGED_AT_ONCE} uploads are being written so already.
     */
    @Override
    public StagedBlob writeWhileArriving(ArrivingFile arriving) {
        if (!writeChunks || !stagingSlots.tryAcquire()) {
            return StagedBlob.NONE;
        }
        PostgresStagedBlob blob = new PostgresStagedBlob(dataSource, arriving, arrivalStallTimeout, () -> {
            staged.remove(arriving.file());
            stagingSlots.release();
        });
        staged.put(arriving.file(), blob);
        try {
            stagers.execute(blob::write);
        } catch (RuntimeException | Error e) { // no thread (shutting down, or none to be had): written afterwards
            blob.notStarted();
            blob.close();
            return StagedBlob.NONE;
        }
        return blob;
    }

    @Override
    @Transactional(Transactional.TxType.REQUIRED)
    public void put(String key, Path file) throws IOException {
        ContentAddress.sha256Of(key);
        // Inside a transaction Agroal hands out the one connection enlisted in it, so this commits or rolls back with it.
        try (Connection connection = dataSource.getConnection()) {
            // Writers of one key one at a time, until each commits: naming a staged blob is an UPDATE, which unlike
            // the INSERT ... ON CONFLICT of a whole write would fail on a key a concurrent writer just took.
            try (PreparedStatement lock = connection.prepareStatement(
                    "SELECT pg_advisory_xact_lock(hashtextextended(?, " + WRITER_LOCK_SEED + "))")) {
                lock.setString(1, key);
                lock.executeQuery().close();
            }
            if (PostgresChunkedBlobs.exists(connection, key, true) || oidOf(connection, key, " FOR SHARE").isPresent()) {
                return;
            }
            PostgresStagedBlob early = staged.get(file);
            if (early != null) {
                Optional<PostgresChunkedBlobs.Staged> written = early.awaitWritten();
                if (written.isPresent() && written.get().size() == Files.size(file)
                        && PostgresChunkedBlobs.name(connection, written.get(), key)) {
                    return;
                }
            }
            if (writeChunks) {
                PostgresChunkedBlobs.write(connection, key, file);
                return;
            }
            LargeObjectManager objects = connection.unwrap(PGConnection.class).getLargeObjectAPI();
            long oid = objects.createLO(LargeObjectManager.READWRITE);
            try (LargeObject blob = objects.open(oid, LargeObjectManager.WRITE);
                 InputStream in = Files.newInputStream(file)) {
                byte[] chunk = new byte[WRITE_CHUNK];
                for (int n = in.readNBytes(chunk, 0, WRITE_CHUNK); n > 0; n = in.readNBytes(chunk, 0, WRITE_CHUNK)) {
                    blob.write(chunk, 0, n);
                }
            }
            try (PreparedStatement insert = connection.prepareStatement(
                    "INSERT INTO blob_large_object (key, blob_oid) VALUES (?, ?) ON CONFLICT (key) DO NOTHING")) {
                insert.setString(1, key);
                insert.setLong(2, oid);
                if (insert.executeUpdate() == 0) {
                    objects.unlink(oid); // a concurrent put of the same bytes committed first: theirs is the blob
                }
            }
        } catch (SQLException e) {
            throw new IOException("could not write the blob " + key + " to the database", e);
        }
    }

    @Override
    public InputStream open(String key, ByteRange range) throws IOException {
        ContentAddress.sha256Of(key);
        Connection connection = null;
        try {
            connection = dataSource.getConnection();
            Optional<InputStream> chunked = PostgresChunkedBlobs.open(connection, key, range);
            if (chunked.isPresent()) {
                return chunked.get(); // it owns the connection now
            }
            connection.setAutoCommit(false); // large objects are only readable inside a transaction
            long oid = oidOf(connection, key, "").orElseThrow(() -> new NoSuchFileException(key));
            LargeObject blob = connection.unwrap(PGConnection.class).getLargeObjectAPI()
                    .open(oid, LargeObjectManager.READ);
            if (range.first() > 0) {
                blob.seek64(range.first(), LargeObject.SEEK_SET);
            }
            return new LargeObjectInputStream(connection, blob, range.length());
        } catch (SQLException e) {
            close(connection);
            throw new IOException("could not read the blob " + key + " from the database", e);
        } catch (IOException | RuntimeException e) {
            close(connection);
            throw e;
        }
    }

    @Override
    @Transactional(Transactional.TxType.REQUIRED)
    public void delete(String key) throws IOException {
        try (Connection connection = dataSource.getConnection();
             PreparedStatement delete = connection.prepareStatement(
                     "DELETE FROM blob_large_object WHERE key = ? RETURNING blob_oid")) {
            PostgresChunkedBlobs.delete(connection, key);
            delete.setString(1, key);
            try (ResultSet rows = delete.executeQuery()) {
                if (rows.next()) {
                    connection.unwrap(PGConnection.class).getLargeObjectAPI().unlink(rows.getLong(1));
                }
            }
        } catch (SQLException e) {
            throw new IOException("could not delete the blob " + key + " from the database", e);
        }
    }

    @Override
    @Transactional(Transactional.TxType.SUPPORTS)
    public boolean exists(String key) throws IOException {
        try (Connection connection = dataSource.getConnection()) {
            return PostgresChunkedBlobs.exists(connection, key, false) || oidOf(connection, key, "").isPresent();
        } catch (SQLException e) {
            throw new IOException("could not look up the blob " + key + " in the database", e);
        }
    }

    @Override
    @Transactional(Transactional.TxType.SUPPORTS)
    public List<String> keysWrittenBefore(Instant cutoff) throws IOException {
        List<String> keys = new ArrayList<>();
        try (Connection connection = dataSource.getConnection()) {
            int leftovers = PostgresChunkedBlobs.deleteStagedBefore(connection, Timestamp.from(cutoff));
            if (leftovers > 0) {
                LOG.infof("Deleted %d blob(s) written while their uploads arrived that no upload named (a crash "
                        + "left them)", leftovers);
            }
        } catch (SQLException e) {
            throw new IOException("could not delete staged blobs in the database", e);
        }
        try (Connection connection = dataSource.getConnection();
             PreparedStatement select = connection.prepareStatement(
                     "SELECT key FROM blob_large_object WHERE created_at < ? "
                             + "UNION ALL SELECT key FROM blob_chunked WHERE created_at < ? AND key IS NOT NULL")) {
            select.setTimestamp(1, Timestamp.from(cutoff));
            select.setTimestamp(2, Timestamp.from(cutoff));
            try (ResultSet rows = select.executeQuery()) {
                while (rows.next()) {
                    keys.add(rows.getString(1));
                }
            }
        } catch (SQLException e) {
            throw new IOException("could not list the blobs in the database", e);
        }
        return keys;
    }

    @PreDestroy
    void stop() {
        stagers.shutdownNow();
    }

    private static OptionalLong oidOf(Connection connection, String key, String lock) throws SQLException {
        try (PreparedStatement select = connection.prepareStatement(
                "SELECT blob_oid FROM blob_large_object WHERE key = ?" + lock)) {
            select.setString(1, key);
            try (ResultSet rows = select.executeQuery()) {
                return rows.next() ? OptionalLong.of(rows.getLong(1)) : OptionalLong.empty();
            }
        }
    }

    private static void close(Connection connection) {
        if (connection != null) {
            try {
                connection.rollback();
                connection.setAutoCommit(true);
                connection.close();
            } catch (SQLException ignored) {
                // the connection is broken; the pool discards it
            }
        }
    }

    /** A large object's bytes; closing it ends the read transaction and returns the connection. */
    private static final class LargeObjectInputStream extends BlobRangeInputStream {
        private final Connection connection;
        private final LargeObject blob;

        LargeObjectInputStream(Connection connection, LargeObject blob, long limit) {
            super(limit);
            this.connection = connection;
            this.blob = blob;
        }

        @Override
        protected int readSome(byte[] buffer, int offset, int length) throws IOException {
            try {
                int n = blob.read(buffer, offset, Math.min(length, CHUNK));
                return n <= 0 ? -1 : n;
            } catch (SQLException e) {
                throw new IOException("could not read a blob from the database", e);
            }
        }

        @Override
        protected void release() throws IOException {
            try {
                blob.close();
                connection.commit();
            } catch (SQLException e) {
                throw new IOException("could not finish reading a blob from the database", e);
            } finally {
                PostgresBlobStore.close(connection);
            }
        }
    }
}
