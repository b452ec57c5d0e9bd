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
            CopyIn copy = connection.unwrap(PGConnection.class).getCopyAPI()
                    .copyIn("COPY blob_chunk (blob_id, seq, data) FROM STDIN WITH (FORMAT binary)");
            try {
                long chunks = send(copy, id.get(), in, size);
                long rows = copy.endCopy();
                if (rows != chunks) {
                    throw new IOException("COPY wrote " + rows + " chunks of the blob " + key + ", not " + chunks);
                }
            } finally {
                if (copy.isActive()) {
                    copy.cancelCopy(); // the transaction is aborted: the caller rolls back, nothing of the blob stays
                }
            }
            return true;
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

    /** Sends the file as binary COPY rows (blob_id, seq, data); the number of rows sent. */
    private static long send(CopyIn copy, long id, InputStream in, long size) throws SQLException, IOException {
        ByteBuffer buffer = ByteBuffer.allocate(SIGNATURE.length + 8 + CHUNKS_PER_MESSAGE * (ROW_HEADER + CHUNK) + 2);
        buffer.put(SIGNATURE).putInt(0).putInt(0); // no flags, no header extension; the 2 spare bytes hold the trailer
        long sent = 0;
        int seq = 0;
        for (; sent < size; seq++) {
            int n = (int) Math.min(CHUNK, size - sent);
            if (buffer.remaining() < ROW_HEADER + n) {
                copy.writeToCopy(buffer.array(), 0, buffer.position());
                buffer.clear();
            }
            buffer.putShort((short) 3).putInt(8).putLong(id).putInt(4).putInt(seq).putInt(n);
            if (in.readNBytes(buffer.array(), buffer.position(), n) != n) {
                throw new IOException("the spooled file ended before its " + size + " bytes");
            }
            buffer.position(buffer.position() + n);
            sent += n;
        }
        if (in.read() >= 0) {
            throw new IOException("the spooled file grew past its " + size + " bytes");
        }
        buffer.putShort((short) -1); // the trailer
        copy.writeToCopy(buffer.array(), 0, buffer.position());
        return seq;
    }
}
