package dev.turnout.registry;

import dev.turnout.storage.BlobStore;
import dev.turnout.storage.BlobStores;
import dev.turnout.storage.StorageConfig;
import dev.turnout.storage.StoreKind;
import io.agroal.api.AgroalDataSource;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.event.TransactionPhase;
import org.jboss.logging.Logger;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Deletes blobs no artifact row references: at once for the bytes of a deleted artifact (once its deletion
 * committed), and by a periodic sweep for blobs older than {@code turnout.artifacts.sweep.grace} that a crash left
 * between a store write and its commit. Each deletion holds the blob key's advisory lock exclusively and checks for a
 * referencing row under it, so it never races an upload writing the same bytes ({@link ArtifactStore#holdKey}).
 */
@ApplicationScoped
public class ArtifactCollector {

    private static final Logger LOG = Logger.getLogger(ArtifactCollector.class);

    private final AgroalDataSource dataSource;
    private final BlobStores stores;
    private final StorageConfig config;
    private final ScheduledExecutorService executor = Executors.newSingleThreadScheduledExecutor(runnable -> {
        Thread thread = new Thread(runnable, "artifact-collector");
        thread.setDaemon(true);
        return thread;
    });

    public ArtifactCollector(AgroalDataSource dataSource, BlobStores stores, StorageConfig config) {
        this.dataSource = dataSource;
        this.stores = stores;
        this.config = config;
    }

    void start(@Observes StartupEvent event) {
        long interval = config.sweep().interval().toMillis();
        executor.scheduleWithFixedDelay(() -> {
            try {
                sweep(config.sweep().grace());
            } catch (RuntimeException | Error e) {
                LOG.warn("Sweeping unreferenced artifact blobs failed; the next round retries", e);
            }
        }, interval, interval, TimeUnit.MILLISECONDS);
    }

    void stop(@Observes ShutdownEvent event) {
        executor.shutdownNow();
    }

    /** The bytes of a deleted artifact, collected on this collector's thread once the deletion committed. */
    void onReleased(@Observes(during = TransactionPhase.AFTER_SUCCESS) ArtifactStore.ArtifactReleased released) {
        executor.execute(() -> {
            try {
                collect(released.store(), released.key());
            } catch (RuntimeException e) {
                LOG.warnf(e, "Could not delete the blob %s from the %s store; the sweep retries", released.key(),
                        released.store());
            }
        });
    }

    /** Deletes, in every configured store, the blobs written before {@code now - grace} that no row references. */
    public int sweep(Duration grace) {
        Instant cutoff = Instant.now().minus(grace);
        int deleted = 0;
        for (Map.Entry<StoreKind, BlobStore> store : stores.configured().entrySet()) {
            List<String> keys;
            try {
                keys = store.getValue().keysWrittenBefore(cutoff);
            } catch (IOException e) {
                throw new UncheckedIOException("could not list the " + store.getKey() + " store", e);
            }
            for (String key : keys) {
                if (collect(store.getKey(), key)) {
                    deleted++;
                }
            }
        }
        if (deleted > 0) {
            LOG.infof("Deleted %d artifact blob(s) that no artifact references (older than %s)", deleted, grace);
        }
        return deleted;
    }

    /** Deletes the blob unless a row references it; whether it was deleted. */
    public boolean collect(StoreKind kind, String key) {
        BlobStore store = stores.get(kind);
        return QuarkusTransaction.requiringNew().call(() -> {
            try (Connection connection = dataSource.getConnection()) {
                ArtifactStore.holdKey(connection, key, false);
                try (PreparedStatement select = connection.prepareStatement(
                        "SELECT 1 FROM artifact WHERE store = ? AND storage_key = ?")) {
                    select.setString(1, kind.id());
                    select.setString(2, key);
                    try (ResultSet rows = select.executeQuery()) {
                        if (rows.next()) {
                            return false;
                        }
                    }
                }
                if (!store.exists(key)) {
                    return false;
                }
                store.delete(key);
                return true;
            } catch (SQLException | IOException e) {
                throw new IllegalStateException("could not collect the blob " + key + " in the " + kind + " store", e);
            }
        });
    }
}
