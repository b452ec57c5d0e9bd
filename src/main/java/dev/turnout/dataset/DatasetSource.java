package dev.turnout.dataset;

import dev.turnout.storage.BlobStores;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Optional;

/**
 * One dataset version, looked up once, for a pass over all its rows (an evaluation): its columns, its parsed numeric
 * columns if it has them, and its rows either way, streamed from the store and read ahead by a thread of the
 * reader's while the caller works. Open outside a transaction: the postgres store reads in a transaction of its own,
 * on a connection held until the rows are closed. The caller closes what it opens.
 */
public final class DatasetSource {

    // A pass reads ahead 2 chunks of 256 KiB (the postgres store's read size, below G1's humongous size on small heaps).
    private static final int READ_AHEAD_CHUNK = 256 << 10;
    private static final int READ_AHEAD_CHUNKS = 2;

    private final StoredDataset stored;
    private final BlobStores stores;

    DatasetSource(StoredDataset stored, BlobStores stores) {
        this.stored = stored;
        this.stores = stores;
    }

    /** The version's columns in order. */
    public List<String> columns() {
        return stored.version().columns();
    }

    /** The numeric columns parsed at upload, in the order {@link ParsedRows#value} indexes them; empty when none. */
    public Optional<List<ParsedColumn>> parsedColumns() {
        return Optional.ofNullable(stored.parsed()).map(StoredDataset.Parsed::columns);
    }

    /** The rows read in place from the version's text: CSV fields as bytes, JSON Lines through its rows. */
    public DatasetCursor openCursor() {
        try {
            InputStream in = readAhead(stores.get(stored.store()).open(stored.storageKey()));
            RowReader reader;
            try {
                reader = DatasetReaders.open(stored.format(), in, columns());
            } catch (IOException | RuntimeException e) {
                in.close(); // stops the read-ahead thread and returns the store's connection
                throw e;
            }
            return reader instanceof CsvReader csv ? csv : new RowReaderCursor(reader, columns());
        } catch (IOException e) {
            throw unreadable(e);
        }
    }

    /** The rows as the doubles of the parsed columns; only for a version that has them. */
    public ParsedRows openParsed() {
        StoredDataset.Parsed parsed = stored.parsed();
        if (parsed == null) {
            throw new IllegalStateException("dataset '" + stored.version().name() + "' version "
                    + stored.version().version() + " has no parsed columns");
        }
        try {
            return new ParsedRowsReader(readAhead(stores.get(parsed.store()).open(parsed.storageKey())),
                    parsed.columns().size(), stored.version().rowCount());
        } catch (IOException e) {
            throw unreadable(e);
        }
    }

    private static InputStream readAhead(InputStream in) {
        return new ReadAheadInputStream(in, READ_AHEAD_CHUNK, READ_AHEAD_CHUNKS);
    }

    private UncheckedIOException unreadable(IOException e) {
        return new UncheckedIOException("could not open dataset '" + stored.version().name() + "' version "
                + stored.version().version() + " in the " + stored.store() + " store", e);
    }
}
