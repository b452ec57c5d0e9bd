package dev.turnout.storage;

import io.agroal.api.AgroalDataSource;
import org.jboss.logging.Logger;

import java.io.InputStream;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;

/**
 * An upload's bytes written as chunks while they arrive ({@link PostgresChunkedBlobs#stage}), in a transaction of
 * its own that commits once the last byte is in. Until {@link PostgresBlobStore#put} names it, it has no key: a
 * refused upload deletes it on {@link #close}, and one a crash left is deleted by the sweep.
 */
final class PostgresStagedBlob implements StagedBlob {

    private static final Logger LOG = Logger.getLogger(PostgresStagedBlob.class);

    private final AgroalDataSource dataSource;
    private final ArrivingFile arriving;
    private final Runnable released;
    private final CompletableFuture<Optional<PostgresChunkedBlobs.Staged>> written = new CompletableFuture<>();
    private boolean closed;

    PostgresStagedBlob(AgroalDataSource dataSource, ArrivingFile arriving, Runnable released) {
        this.dataSource = dataSource;
        this.arriving = arriving;
        this.released = released;
    }

    /** Writes the arriving bytes; runs on a thread of its own, outside any transaction of the caller's. */
    void write() {
        try (Connection connection = dataSource.getConnection(); InputStream in = arriving.open()) {
            connection.setAutoCommit(false);
            try {
                PostgresChunkedBlobs.Staged staged = PostgresChunkedBlobs.stage(connection, in);
                connection.commit();
                written.complete(Optional.of(staged));
            } catch (Exception e) {
                connection.rollback();
                throw e;
            } finally {
                connection.setAutoCommit(true);
            }
        } catch (Exception e) {
            // an abandoned upload ends here too; put() then writes the whole file, if it is called at all
            LOG.debugf(e, "Writing the upload %s while it arrived failed", arriving.file());
            written.complete(Optional.empty());
        }
    }

    /** The committed staged blob once its last byte is written; empty if writing it failed. */
    Optional<PostgresChunkedBlobs.Staged> awaitWritten() {
        try {
            return written.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Optional.empty();
        } catch (ExecutionException e) {
            return Optional.empty();
        }
    }

    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
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
}
