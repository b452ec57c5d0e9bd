package dev.turnout.storage;

import io.agroal.api.AgroalDataSource;
import org.jboss.logging.Logger;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;

/**
 * An upload's bytes written as chunks while they arrive ({@link PostgresChunkedBlobs#stage}), in a transaction of
 * its own that commits once the last byte is in. Until {@link PostgresBlobStore#put} names it, it has no key: a
 * refused upload deletes it on {@link #close}, and one a crash left is deleted by the sweep. The write takes its
 * connection only once the first bytes are in, and gives up (put() then writes the whole file) when the body stalls,
 * so a client that stops sending holds no connection, nor a snapshot that would hold back VACUUM, for long.
 */
final class PostgresStagedBlob implements StagedBlob {

    private static final Logger LOG = Logger.getLogger(PostgresStagedBlob.class);

    private final AgroalDataSource dataSource;
    private final ArrivingFile arriving;
    private final Duration stall;
    private final Runnable released;
    private final CompletableFuture<Optional<PostgresChunkedBlobs.Staged>> written = new CompletableFuture<>();
    /** Set once no put() can name the blob any more: a write still running stops at its next read. */
    private volatile boolean discarded;
    private boolean closed;

    PostgresStagedBlob(AgroalDataSource dataSource, ArrivingFile arriving, Duration stall, Runnable released) {
        this.dataSource = dataSource;
        this.arriving = arriving;
        this.stall = stall;
        this.released = released;
    }

    /** Writes the arriving bytes; runs on a thread of its own, outside any transaction of the caller's. */
    void write() {
        Optional<PostgresChunkedBlobs.Staged> result = Optional.empty();
        try {
            if (!arriving.awaitFirstBytes()) {
                return;
            }
            try (Connection connection = dataSource.getConnection(); InputStream in = new Discardable(
                    arriving.open(stall))) {
                connection.setAutoCommit(false);
                try {
                    PostgresChunkedBlobs.Staged staged = PostgresChunkedBlobs.stage(connection, in);
                    connection.commit();
                    result = Optional.of(staged);
                } catch (Exception e) {
                    connection.rollback();
                    throw e;
                } finally {
                    connection.setAutoCommit(true);
                }
            }
        } catch (Exception e) {
            // an abandoned, stalled or discarded upload ends here too; put() then writes the whole file, if called
            LOG.debugf(e, "Writing the upload %s while it arrived stopped", arriving.file());
        } finally {
            written.complete(result); // whatever ended the write, Errors included: nobody waits for it forever
        }
    }

    /** Completes the write as never started: the thread to run it could not be had. */
    void notStarted() {
        written.complete(Optional.empty());
    }

    /** The committed staged blob once its last byte is written; empty if writing it stopped. */
    Optional<PostgresChunkedBlobs.Staged> awaitWritten() {
        boolean interrupted = false;
        try {
            while (true) {
                try {
                    return written.get();
                } catch (InterruptedException e) {
                    interrupted = true; // the write's connection and row must be accounted for before going on
                } catch (ExecutionException e) {
                    return Optional.empty();
                }
            }
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        discarded = true; // a refusal need not wait for the rest of the COPY: it is rolled back instead
        arriving.close(); // an upload that failed while arriving: the write stops instead of waiting for more
        try {
            Optional<PostgresChunkedBlobs.Staged> staged = awaitWritten();
            if (staged.isPresent()) {
                try (Connection connection = dataSource.getConnection()) {
                    PostgresChunkedBlobs.deleteStaged(connection, staged.get().id());
                } catch (SQLException e) {
                    LOG.warnf(e, "Could not delete the unused staged blob %d; the sweep deletes it",
                            staged.get().id());
                }
            }
        } finally {
            released.run();
        }
    }

    /** The arriving bytes, until the blob is discarded. */
    private final class Discardable extends FilterInputStream {
        Discardable(InputStream in) {
            super(in);
        }

        @Override
        public int read() throws IOException {
            check();
            return super.read();
        }

        @Override
        public int read(byte[] buffer, int offset, int length) throws IOException {
            check();
            return super.read(buffer, offset, length);
        }

        private void check() throws IOException {
            if (discarded) {
                throw new IOException("the upload was answered without this blob");
            }
        }
    }
}
