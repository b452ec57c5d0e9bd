package dev.turnout.dataset;

import dev.turnout.storage.StoreKind;

/** A dataset version with its row id and where its bytes are: enough to stream them after the read transaction. */
record StoredDataset(long id, DatasetVersion version, DatasetFormat format, StoreKind store, String storageKey) {
}
