package dev.turnout.storage;

import org.postgresql.PGConnection;
import org.postgresql.copy.PGCopyInputStream;

import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.OutputStream;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.Arrays;

/**
 * The bytes of chunks {@code firstSeq..lastSeq} of a chunked blob, the first {@code skip} dropped, ended after
 * {@code length}: read with one binary {@code COPY (SELECT data ...) TO STDOUT} per window of chunks. Windows, not one
 * COPY of everything: a stream closed early (a client gone, a range read) finishes its window's COPY by reading it,
 * at most about a MiB, because cancelling a COPY leaves the pooled connection in a state the next statement trips on
 * (measured: "No results were returned by the query"). Closing it returns the connection.
 */
final class ChunkCopyInputStream extends BlobRangeInputStream {

    // About 1 MiB of chunks per COPY: what an early close reads in vain; a statement per MiB costs nothing measurable.
    private static final int WINDOW = 128;

    private final Connection connection;
    private final long blobId;
    private final long lastSeq;
    private long nextSeq;
    private long windowEnd;
    private long skip;
    private int rowLeft;
    private PGCopyInputStream copy;
    private DataInputStream in;

    ChunkCopyInputStream(Connection connection, long blobId, long firstSeq, long lastSeq, long skip, long length) {
        super(length);
        this.connection = connection;
        this.blobId = blobId;
        this.nextSeq = firstSeq;
        this.lastSeq = lastSeq;
        this.skip = skip;
    }

    @Override
    protected int readSome(byte[] buffer, int offset, int length) throws IOException {
        while (rowLeft == 0) {
            nextRow();
        }
        int n = in.read(buffer, offset, Math.min(length, rowLeft));
        if (n < 0) {
            throw new EOFException("a blob's chunk ended early");
        }
        rowLeft -= n;
        return n;
    }

    /** Moves to the next chunk's data, past the bytes still to skip, opening the next window when one ends. */
    private void nextRow() throws IOException {
        if (in == null) {
            openWindow();
        }
        short fields = in.readShort();
        if (fields == -1) { // the window's trailer
            finishWindow();
            if (nextSeq != windowEnd + 1 || nextSeq > lastSeq) {
                // rows missing: the blob was deleted while being read
                throw new EOFException("a blob's chunks ended " + left() + " bytes early");
            }
            return;
        }
        if (fields != 1) {
            throw new IOException("a COPY row of " + fields + " columns, not 1");
        }
        int size = in.readInt();
        if (size < 0) {
            throw new IOException("a blob's chunk is NULL");
        }
        nextSeq++;
        int skipped = (int) Math.min(skip, size);
        in.skipNBytes(skipped);
        skip -= skipped;
        rowLeft = size - skipped;
    }

    private void openWindow() throws IOException {
        windowEnd = Math.min(lastSeq, nextSeq + WINDOW - 1);
        String sql = "COPY (SELECT data FROM blob_chunk WHERE blob_id = " + blobId + " AND seq BETWEEN " + nextSeq
                + " AND " + windowEnd + " ORDER BY seq) TO STDOUT WITH (FORMAT binary)";
        try {
            copy = new PGCopyInputStream(connection.unwrap(PGConnection.class), sql);
        } catch (SQLException e) {
            throw new IOException("could not read a blob's chunks from the database", e);
        }
        in = new DataInputStream(copy);
        byte[] signature = new byte[PostgresChunkedBlobs.SIGNATURE.length];
        in.readFully(signature);
        if (!Arrays.equals(signature, PostgresChunkedBlobs.SIGNATURE)) {
            throw new IOException("not a binary COPY stream");
        }
        in.readInt(); // flags
        in.skipNBytes(in.readInt()); // header extension
    }

    /** Reads the window's COPY to its end, so the connection is ready for the next statement. */
    private void finishWindow() throws IOException {
        in.transferTo(OutputStream.nullOutputStream()); // after the trailer: nothing; or a window closed early
        copy.close();
        copy = null;
        in = null;
        rowLeft = 0;
    }

    @Override
    protected void release() throws IOException {
        try {
            if (in != null) {
                in.skipNBytes(rowLeft);
                finishWindow();
            }
        } finally {
            try {
                connection.close();
            } catch (SQLException e) {
                throw new IOException("could not return a connection after reading a blob", e);
            }
        }
    }
}
