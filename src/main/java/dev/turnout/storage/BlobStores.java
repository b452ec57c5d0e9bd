package dev.turnout.storage;

import io.quarkus.runtime.Startup;
import jakarta.enterprise.context.ApplicationScoped;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.EnumMap;
import java.util.Map;

/**
 * Every store this replica can reach, and the one new blobs go to ({@code turnout.artifacts.store}). A store that is
 * configured is opened at start, so a wrong setting stops the server then; one that is not configured is refused by
 * name when something stored there is asked for.
 */
@Startup
@ApplicationScoped
public class BlobStores {

    private final StoreKind current;
    private final Map<StoreKind, BlobStore> stores = new EnumMap<>(StoreKind.class);

    public BlobStores(StorageConfig config, PostgresBlobStore postgres) {
        this.current = config.store();
        stores.put(StoreKind.POSTGRES, postgres);
        try {
            if (config.filesystem().path().isPresent()) {
                stores.put(StoreKind.FILESYSTEM, new FilesystemBlobStore(config.filesystem().path().get()));
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot open the filesystem store at " + config.filesystem().path().get(), e);
        }
        if (config.s3().bucket().isPresent()) {
            stores.put(StoreKind.S3, S3BlobStore.of(config.s3()));
        }
        if (!stores.containsKey(current)) {
            throw new IllegalStateException("turnout.artifacts.store is " + current + ", which is not configured: "
                    + requirement(current));
        }
    }

    @jakarta.annotation.PreDestroy
    void close() {
        if (stores.get(StoreKind.S3) instanceof S3BlobStore s3) {
            s3.close();
        }
    }

    /** The store new blobs are written to. */
    public BlobStore current() {
        return stores.get(current);
    }

    /** The store of that kind; refused, naming the setting it needs, when this replica has none configured. */
    public BlobStore get(StoreKind kind) {
        BlobStore store = stores.get(kind);
        if (store == null) {
            throw new IllegalStateException("an artifact is stored in the " + kind + " store, which this replica has "
                    + "not configured: " + requirement(kind));
        }
        return store;
    }

    /** The stores this replica has configured. */
    public Map<StoreKind, BlobStore> configured() {
        return Map.copyOf(stores);
    }

    private static String requirement(StoreKind kind) {
        return switch (kind) {
            case POSTGRES -> "it needs the database only";
            case FILESYSTEM -> "set turnout.artifacts.filesystem.path";
            case S3 -> "set turnout.artifacts.s3.bucket (and the endpoint, region and credentials it needs)";
        };
    }
}
