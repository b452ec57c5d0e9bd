package dev.turnout.dataset;

import dev.turnout.storage.BlobStores;
import dev.turnout.storage.ByteRange;
import jakarta.enterprise.context.ApplicationScoped;

import java.io.IOException;
import java.io.InputStream;

/** The bytes of a dataset version as uploaded (or a range of them), from the store that holds them. */
@ApplicationScoped
public class DatasetDownload {

    private final DatasetCatalog catalog;
    private final BlobStores stores;

    public DatasetDownload(DatasetCatalog catalog, BlobStores stores) {
        this.catalog = catalog;
        this.stores = stores;
    }

    /** The caller closes the stream; the postgres store holds a connection until then. */
    public InputStream open(DatasetVersion version, ByteRange range) throws IOException {
        StoredDataset stored = catalog.stored(version.name(), version.version());
        return stores.get(stored.store()).open(stored.storageKey(), range);
    }
}
