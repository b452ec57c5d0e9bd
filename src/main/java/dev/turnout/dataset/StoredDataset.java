package dev.turnout.dataset;

import dev.turnout.storage.StoreKind;

import java.util.List;

/**
 * A dataset version with its row id and where its bytes are: enough to stream them after the read transaction. A CSV
 * version with numeric columns also has them parsed ({@code parsed}), or null.
 */
record StoredDataset(long id, DatasetVersion version, DatasetFormat format, StoreKind store, String storageKey,
                     Parsed parsed) {

    /** The parsed columns and where their file is. */
    record Parsed(List<ParsedColumn> columns, StoreKind store, String storageKey) {
    }
}
