package dev.turnout.storage;

import org.postgresql.PGConnection;
import org.postgresql.copy.CopyIn;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.util.Optional;

/**
 * Blobs as rows of bytea chunks (tables {@code blob_chunked} and {@code blob_chunk}, V13), written with one binary
 * {@code COPY ... FROM STDIN} streamed from the spooled file and read with one binary {@code COPY ... TO STDOUT} of the
 * chunks a range needs ({@link ChunkCopyInputStream}). Both stream: memory per blob is one buffer of a few chunks.
 */
final class PostgresChunkedBlobs {

    /**
     * Bytes per chunk row: the largest that fits one heap page on its own, so a row never goes to TOAST (the column is
     * STORAGE PLAIN) and a page holds no partial row. A row is its 24-byte header, blob_id (8), seq (4), the bytea's
     * 4-byte length and the data: 40 + 8120 = 8160, PostgreSQL's MaxHeapTupleSize for 8 KB pages (8192 less the page
     * header and one line pointer). Never change it: stored blobs are read by seq * CHUNK.
     */
    static final int CHUNK = 8120;
    // Chunks per COPY message: 32 x 8 KB stays below G1's humongous size on a 256 MiB heap (half a 1 MiB region).
    private static final int CHUNKS_PER_MESSAGE = 32;
    // Per row in binary COPY: field count (2), then each field's length (4) and value: blob_id 8, seq 4, data.
    private static final int ROW_HEADER = 2 + 4 + 8 + 4 + 4 + 4;
    // The binary COPY format's header signature, written here and checked when reading (ChunkCopyInputStream).
    static final byte[] SIGNATURE = {'P', 'G', 'C', 'O', 'P', 'Y', '\n', (byte) 0xff, '\r', '\n', 0};

    private PostgresChunkedBlobs() {
    }

    /**
     * Writes the file as the blob of the key in the connection's transaction; false, writing nothing, when a
     * concurrent writer of the same key committed it first (their bytes are the same).
     */
    static boolean write(Connection connection, String key, Path file) throws SQLException, IOException {
        try (InputStream in = Files.newInputStream(file)) {
            long size = Files.size(file);
            Optional<Long> id = insert(connection, key, size);
            if (id.isEmpty()) {
                return false;
            }
            long sent = copy(connection, id.get(), in);
            if (sent != size) {
                throw new IOException("the spooled file of the blob " + key + " changed size while it was written: "
                        + sent + " bytes, not " + size);
            }
            return true;
        }
    }

    /**
     * Writes the stream's bytes as a staged blob, one without a key yet (V15), in the connection's transaction; its
     * id and size. {@link #name} gives it its key once the bytes' content address is known.
     */
    static Staged stage(Connection connection, InputStream in) throws SQLException, IOException {
        long id;
        try (PreparedStatement insert = connection.prepareStatement(
                "INSERT INTO blob_chunked (key, size_bytes) VALUES (NULL, 0) RETURNING id")) {
            try (ResultSet rows = insert.executeQuery()) {
                rows.next();
                id = rows.getLong(1);
            }
        }
        long size = copy(connection, id, in);
        // written now, not when the upload began: the sweep's grace counts from here
        try (PreparedStatement update = connection.prepareStatement(
                "UPDATE blob_chunked SET size_bytes = ?, created_at = clock_timestamp() WHERE id = ?")) {
            update.setLong(1, size);
            update.setLong(2, id);
            update.executeUpdate();
        }
        return new Staged(id, size);
    }

    /** A blob written before its key was known. */
    record Staged(long id, long size) {
    }

    /**
     * Gives the staged blob its key, in the connection's transaction; false if it is gone (swept). The caller holds
     * the key's lock ({@link PostgresBlobStore}), so no other blob takes the key meanwhile.
     */
    static boolean name(Connection connection, Staged staged, String key) throws SQLException {
        try (PreparedStatement update = connection.prepareStatement(
                "UPDATE blob_chunked SET key = ? WHERE id = ? AND key IS NULL")) {
            update.setString(1, key);
            update.setLong(2, staged.id());
            return update.executeUpdate() == 1;
        }
    }

    /** Deletes the staged blob (and its chunks) unless it was named. */
    static void deleteStaged(Connection connection, long id) throws SQLException {
        try (PreparedStatement delete = connection.prepareStatement(
                "DELETE FROM blob_chunked WHERE id = ? AND key IS NULL")) {
            delete.setLong(1, id);
            delete.executeUpdate();
        }
    }

    /** Deletes the staged blobs written before the cutoff that nothing named: a crash left them. */
    static int deleteStagedBefore(Connection connection, Timestamp cutoff) throws SQLException {
        try (PreparedStatement delete = connection.prepareStatement(
                "DELETE FROM blob_chunked WHERE key IS NULL AND created_at < ?")) {
            delete.setTimestamp(1, cutoff);
            return delete.executeUpdate();
        }
    }

    /** Sends the stream to the blob's chunks with one COPY; the bytes sent. */
    private static long copy(Connection connection, long id, InputStream in) throws SQLException, IOException {
        CopyIn copy = connection.unwrap(PGConnection.class).getCopyAPI()
                .copyIn("COPY blob_chunk (blob_id, seq, data) FROM STDIN WITH (FORMAT binary)");
        try {
            Sent sent = send(copy, id, in);
            long rows = copy.endCopy();
            if (rows != sent.rows()) {
                throw new IOException("COPY wrote " + rows + " chunks of the blob " + id + ", not " + sent.rows());
            }
            return sent.bytes();
        } finally {
            if (copy.isActive()) {
                copy.cancelCopy(); // the transaction is aborted: the caller rolls back, nothing of the blob stays
            }
        }
    }

    /** The bytes of the range, if the key names a chunked blob; the stream owns the connection from then on. */
    static Optional<InputStream> open(Connection connection, String key, ByteRange range)
            throws SQLException, IOException {
        long id;
        long size;
        try (PreparedStatement select = connection.prepareStatement(
                "SELECT id, size_bytes FROM blob_chunked WHERE key = ?")) {
            select.setString(1, key);
            try (ResultSet rows = select.executeQuery()) {
                if (!rows.next()) {
                    return Optional.empty();
                }
                id = rows.getLong(1);
                size = rows.getLong(2);
            }
        }
        long first = Math.min(range.first(), size);
        long length = Math.min(range.length(), size - first);
        if (length == 0) {
            connection.close();
            return Optional.of(InputStream.nullInputStream());
        }
        long last = first + length - 1;
        return Optional.of(new ChunkCopyInputStream(connection, id, first / CHUNK, last / CHUNK, first % CHUNK, length));
    }

    static boolean exists(Connection connection, String key, boolean lock) throws SQLException {
        try (PreparedStatement select = connection.prepareStatement(
                "SELECT 1 FROM blob_chunked WHERE key = ?" + (lock ? " FOR SHARE" : ""))) {
            select.setString(1, key);
            try (ResultSet rows = select.executeQuery()) {
                return rows.next();
            }
        }
    }

    /** Deletes the blob and its chunks (ON DELETE CASCADE). */
    static void delete(Connection connection, String key) throws SQLException {
        try (PreparedStatement delete = connection.prepareStatement("DELETE FROM blob_chunked WHERE key = ?")) {
            delete.setString(1, key);
            delete.executeUpdate();
        }
    }

    private static Optional<Long> insert(Connection connection, String key, long size) throws SQLException {
        // ON CONFLICT waits for a concurrent writer of the key: its commit leaves nothing to write here, its rollback
        // lets this insert go on.
        try (PreparedStatement insert = connection.prepareStatement("INSERT INTO blob_chunked (key, size_bytes) "
                + "VALUES (?, ?) ON CONFLICT (key) DO NOTHING RETURNING id")) {
            insert.setString(1, key);
            insert.setLong(2, size);
            try (ResultSet rows = insert.executeQuery()) {
                return rows.next() ? Optional.of(rows.getLong(1)) : Optional.empty();
            }
        }
    }

    private record Sent(long bytes, int rows) {
    }

    /** Sends the stream, to its end, as binary COPY rows (blob_id, seq, data). */
    private static Sent send(CopyIn copy, long id, InputStream in) throws SQLException, IOException {
        ByteBuffer buffer = ByteBuffer.allocate(SIGNATURE.length + 8 + CHUNKS_PER_MESSAGE * (ROW_HEADER + CHUNK) + 2);
        buffer.put(SIGNATURE).putInt(0).putInt(0); // no flags, no header extension; the 2 spare bytes hold the trailer
        long sent = 0;
        int seq = 0;
        while (true) {
            if (buffer.remaining() < ROW_HEADER + CHUNK) {
                copy.writeToCopy(buffer.array(), 0, buffer.position());
                buffer.clear();
            }
            int header = buffer.position();
            // every chunk but the last is full: readNBytes returns fewer bytes only at the end of the stream
            int n = in.readNBytes(buffer.array(), header + ROW_HEADER, CHUNK);
            if (n == 0) {
                break;
            }
            buffer.putShort((short) 3).putInt(8).putLong(id).putInt(4).putInt(seq).putInt(n);
            buffer.position(buffer.position() + n);
            sent += n;
            seq++;
            if (n < CHUNK) {
                break;
            }
        }
        buffer.putShort((short) -1); // the trailer
        copy.writeToCopy(buffer.array(), 0, buffer.position());
        return new Sent(sent, seq);
    }
}
