package dev.turnout.dataset;

import java.util.Iterator;

/**
 * The rows of a dataset version in file order, streamed from the artifact store with bounded memory (at most one row,
 * of at most {@link DatasetRules#MAX_ROW_BYTES}, is held). Close it to release the store's stream (for the postgres
 * store, a connection). Reading the store can fail midway: {@code hasNext}/{@code next} then throw
 * {@link java.io.UncheckedIOException}.
 */
public interface DatasetRows extends Iterator<DatasetRow>, AutoCloseable {

    @Override
    void close();
}
