package dev.turnout.dataset;

import java.util.List;
import java.util.Map;

/** A {@link DatasetCursor} over rows read as maps (JSON Lines): every value through {@link #text}, none plain. */
final class RowReaderCursor implements DatasetCursor {

    private static final byte[] NO_BYTES = new byte[0];

    private final RowReader reader;
    private final List<String> columns;
    private DatasetRow row;

    /** {@code columns}: the stored version's (a JSON Lines reader knows them only after its first parsed row). */
    RowReaderCursor(RowReader reader, List<String> columns) {
        this.reader = reader;
        this.columns = List.copyOf(columns);
    }

    @Override
    public List<String> columns() {
        return columns;
    }

    @Override
    public boolean advance() {
        row = reader.hasNext() ? reader.next() : null;
        return row != null;
    }

    @Override
    public long number() {
        return row.number();
    }

    @Override
    public String problem() {
        return row.problem();
    }

    @Override
    public String text(int column) {
        Map<String, String> values = row.values();
        return values == null ? null : values.get(columns.get(column));
    }

    @Override
    public boolean plain(int column) {
        return false;
    }

    @Override
    public byte[] bytes() {
        return NO_BYTES;
    }

    @Override
    public int start(int column) {
        return 0;
    }

    @Override
    public int end(int column) {
        return 0;
    }

    @Override
    public void close() {
        reader.close();
    }
}
