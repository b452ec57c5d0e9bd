package dev.turnout.dataset;

import dev.turnout.error.TurnoutException;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Set;

/**
 * RFC 4180 CSV, UTF-8, comma-separated, with a header row: fields may be quoted ({@code "a, ""b"""}), quoted fields may
 * hold commas, quotes and line breaks; records end with CRLF, LF or CR; a UTF-8 byte order mark is skipped; empty lines
 * are skipped and are no rows. Parsed byte by byte (the separators are ASCII, and no byte of a multi-byte UTF-8
 * character is), each field decoded strictly. A record with a quote inside an unquoted field, text after a closing
 * quote, a field count other than the header's, bytes that are not UTF-8 or more than {@link DatasetRules#MAX_ROW_BYTES}
 * is a malformed row; reading resumes at the next line break. The header must parse: its names are non-empty and
 * distinct. Read it either as rows ({@link #next}) or in place ({@link #advance}), not both.
 */
final class CsvReader implements RowReader, DatasetCursor {

    private enum State { FIELD_START, UNQUOTED, QUOTED, QUOTE_IN_QUOTED }

    private enum Record { ROW, BLANK, END }

    /** The bytes that end a plain stretch of a record: comma, quote, CR, LF. */
    private static final boolean[] SPECIAL = new boolean[256];

    static {
        for (char c : new char[] {',', '"', '\r', '\n'}) {
            SPECIAL[c] = true;
        }
    }

    private final ByteSource source;
    private final Utf8 utf8 = new Utf8();
    private List<String> columns;
    private byte[] bytes = new byte[1024];
    private int length;
    /**
     * Where the current record's bytes are: {@link #bytes} from 0 when the state machine copied them there, or the
     * source's read buffer from {@code rowStart} when the record was read in place ({@link #readPlainRecord}); field
     * ranges index into it. Either way they stay until the next record is read.
     */
    private byte[] row = bytes;
    private int rowStart;
    private int[] fieldStarts = new int[16];
    private int[] fieldEnds = new int[16];
    private int fieldStart;
    private int fieldCount;
    private int maxFields = DatasetRules.MAX_COLUMNS;
    private String problem;
    private long line = 1;
    private long recordLine;
    private long number;
    private DatasetRow next;
    private boolean ended;
    private String rowProblem;
    private boolean ascii;
    private boolean scannedAscii;

    private CsvReader(ByteSource source) {
        this.source = source;
    }

    /** Reads the header; a file without one that parses is refused (400). The caller closes the reader. */
    static CsvReader open(InputStream in) throws IOException {
        CsvReader reader = new CsvReader(new ByteSource(in));
        reader.source.skipByteOrderMark();
        reader.readHeader();
        return reader;
    }

    @Override
    public List<String> columns() {
        return columns;
    }

    private void readHeader() throws IOException {
        Record record;
        do {
            record = readRecord();
        } while (record == Record.BLANK);
        if (record == Record.END) {
            throw TurnoutException.invalid("the CSV has no header row: the first row must name the columns");
        }
        if (problem != null) {
            throw TurnoutException.invalid("the CSV header row does not parse: " + problem);
        }
        if (fieldCount > DatasetRules.MAX_COLUMNS) {
            throw TurnoutException.invalid("the CSV header has " + fieldCount + " columns; at most "
                    + DatasetRules.MAX_COLUMNS + " are accepted");
        }
        List<String> names = new ArrayList<>(fieldCount);
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < fieldCount; i++) {
            String name = field(i);
            if (name == null) {
                throw TurnoutException.invalid("the CSV header row (line " + recordLine + ") is not valid UTF-8");
            }
            if (name.isEmpty()) {
                throw TurnoutException.invalid("column " + (i + 1) + " of the CSV header has no name (a pandas index "
                        + "column? write the CSV with index=False); every column needs a name");
            }
            if (!seen.add(name)) {
                throw TurnoutException.invalid("the CSV header names the column '" + Problems.quote(name)
                        + "' twice; column names must be distinct");
            }
            names.add(name);
        }
        columns = List.copyOf(names);
        maxFields = columns.size();
    }

    @Override
    public boolean hasNext() {
        if (next == null && !ended) {
            next = readRow();
            ended = next == null;
        }
        return next != null;
    }

    @Override
    public DatasetRow next() {
        if (!hasNext()) {
            throw new NoSuchElementException();
        }
        DatasetRow row = next;
        next = null;
        return row;
    }

    private DatasetRow readRow() {
        if (!advance()) {
            return null;
        }
        if (rowProblem != null) {
            return DatasetRow.malformed(number, rowProblem);
        }
        Map<String, String> values = new LinkedHashMap<>(columns.size() * 2);
        for (int i = 0; i < fieldCount; i++) {
            values.put(columns.get(i), field(i));
        }
        return DatasetRow.parsed(number, values);
    }

    @Override
    public boolean advance() {
        Record record;
        try {
            do {
                record = readRecord();
            } while (record == Record.BLANK);
        } catch (IOException e) {
            throw new UncheckedIOException("could not read the dataset", e);
        }
        if (record == Record.END) {
            return false;
        }
        number++;
        rowProblem = check();
        return true;
    }

    /** Why the record just read is no row, or null; notes whether it is all ASCII (then every field is plain). */
    private String check() {
        if (problem != null) {
            return problem;
        }
        if (fieldCount != columns.size()) {
            return "line " + recordLine + ": " + fieldCount + " field" + (fieldCount == 1 ? "" : "s")
                    + " where the header has " + columns.size() + " columns";
        }
        ascii = scannedAscii || isAscii(row, rowStart, rowStart + length);
        if (!ascii) {
            for (int i = 0; i < fieldCount; i++) {
                if (field(i) == null) {
                    return "line " + recordLine + ": not valid UTF-8 (in column '" + Problems.quote(columns.get(i))
                            + "')";
                }
            }
        }
        return null;
    }

    private static boolean isAscii(byte[] bytes, int from, int to) {
        for (int i = from; i < to; i++) {
            if (bytes[i] < 0) {
                return false;
            }
        }
        return true;
    }

    @Override
    public long number() {
        return number;
    }

    @Override
    public String problem() {
        return rowProblem;
    }

    @Override
    public String text(int column) {
        return field(column);
    }

    @Override
    public boolean plain(int column) {
        return ascii;
    }

    @Override
    public byte[] bytes() {
        return row;
    }

    @Override
    public int start(int column) {
        return fieldStarts[column];
    }

    @Override
    public int end(int column) {
        return fieldEnds[column];
    }

    private String field(int index) {
        int start = fieldStarts[index];
        return utf8.decode(row, start, fieldEnds[index] - start);
    }

    /** Reads one record into {@link #row} (copied, or in place), its field ranges, or sets {@link #problem}. */
    private Record readRecord() throws IOException {
        length = 0;
        fieldCount = 0;
        problem = null;
        recordLine = line;
        if (readPlainRecord()) {
            return Record.ROW;
        }
        row = bytes;
        rowStart = 0;
        fieldCount = 0;
        fieldStart = 0;
        scannedAscii = false;
        State state = State.FIELD_START;
        boolean started = false;
        long quoteLine = 0;
        while (true) {
            int b = source.read();
            if (b == ByteSource.EOF) {
                if (!started) {
                    return Record.END;
                }
                if (state == State.QUOTED && problem == null) {
                    problem = "line " + recordLine + ": the quoted field opened on line " + quoteLine
                            + " is never closed";
                }
                endField();
                return Record.ROW;
            }
            if (problem != null) { // skip the rest of the line
                if (b == '\n' || b == '\r') {
                    endLine(b);
                    return Record.ROW;
                }
                continue;
            }
            switch (state) {
                case FIELD_START -> {
                    if (b == '\n' || b == '\r') {
                        endLine(b);
                        if (!started) {
                            return Record.BLANK;
                        }
                        endField();
                        return Record.ROW;
                    }
                    if (b == '"') {
                        state = State.QUOTED;
                        quoteLine = line;
                    } else if (b == ',') {
                        endField();
                    } else {
                        append(b);
                        length += source.copyPlain(bytes, length, bytes.length - length);
                        state = State.UNQUOTED;
                    }
                }
                case UNQUOTED -> {
                    if (b == ',') {
                        endField();
                        state = State.FIELD_START;
                    } else if (b == '\n' || b == '\r') {
                        endLine(b);
                        endField();
                        return Record.ROW;
                    } else if (b == '"') {
                        problem = "line " + line + ": a quote inside an unquoted field (quote the whole field and "
                                + "double the quotes inside it)";
                    } else {
                        append(b);
                        length += source.copyPlain(bytes, length, bytes.length - length);
                    }
                }
                case QUOTED -> {
                    if (b == '"') {
                        state = State.QUOTE_IN_QUOTED;
                    } else {
                        if (b == '\n') {
                            line++;
                        }
                        append(b);
                    }
                }
                case QUOTE_IN_QUOTED -> {
                    if (b == '"') {
                        append('"');
                        state = State.QUOTED;
                    } else if (b == ',') {
                        endField();
                        state = State.FIELD_START;
                    } else if (b == '\n' || b == '\r') {
                        endLine(b);
                        endField();
                        return Record.ROW;
                    } else {
                        problem = "line " + line + ": text after the closing quote of a field";
                    }
                }
            }
            started = true;
        }
    }

    /**
     * The common record read in one pass over the buffer: no quote, not blank, its line end already buffered. It is
     * split at its commas into the same fields the state machine below would make, and left where it is: its fields
     * are ranges of the read buffer, which is not refilled before the next record is read (no copy per row). False,
     * with nothing consumed, when the record is anything else: the state machine then reads it byte by byte.
     */
    private boolean readPlainRecord() {
        byte[] in = source.buffer();
        int from = source.position();
        int limit = source.limit();
        int i = from;
        int start = from;
        int ored = 0;
        while (true) {
            if (i == limit) {
                return false; // the line end is not buffered yet
            }
            byte b = in[i];
            if (SPECIAL[b & 0xff]) {
                if (b == ',') {
                    addField(start, i);
                    start = i + 1;
                } else if (b == '"') {
                    return false;
                } else {
                    break; // CR or LF
                }
            }
            ored |= b;
            i++;
        }
        int rowLength = i - from;
        int next = i + 1;
        if (rowLength == 0 || rowLength > DatasetRules.MAX_ROW_BYTES) {
            return false; // a blank line, or a row to refuse: the state machine says which
        }
        if (in[i] == '\r') {
            if (next == limit) {
                return false; // whether an LF follows is not buffered yet
            }
            if (in[next] == '\n') {
                next++;
            }
        }
        row = in;
        rowStart = from;
        length = rowLength;
        addField(start, i);
        source.skip(next - from);
        line++;
        scannedAscii = ored >= 0;
        return true;
    }

    private void endLine(int b) throws IOException {
        if (b == '\r' && source.peek() == '\n') {
            source.read();
        }
        line++;
    }

    private void append(int b) {
        if (length == bytes.length) {
            if (length >= DatasetRules.MAX_ROW_BYTES) {
                problem = "line " + recordLine + ": the row is longer than " + DatasetRules.MAX_ROW_BYTES + " bytes";
                return;
            }
            bytes = Arrays.copyOf(bytes, Math.min(length * 2, DatasetRules.MAX_ROW_BYTES));
            row = bytes;
        }
        bytes[length++] = (byte) b;
    }

    /** Ends the field the state machine is reading (its fields lie end to end in {@link #bytes}). */
    private void endField() {
        if (problem != null) {
            return;
        }
        addField(fieldStart, length);
        fieldStart = length;
    }

    /** Counts a field; keeps its range only up to the expected count (a row with more is malformed anyway). */
    private void addField(int start, int end) {
        if (fieldCount < maxFields) {
            if (fieldCount == fieldEnds.length) {
                int size = Math.min(fieldCount * 2, maxFields);
                fieldStarts = Arrays.copyOf(fieldStarts, size);
                fieldEnds = Arrays.copyOf(fieldEnds, size);
            }
            fieldStarts[fieldCount] = start;
            fieldEnds[fieldCount] = end;
        }
        fieldCount++;
    }

    @Override
    public void close() {
        try {
            source.close();
        } catch (IOException e) {
            throw new UncheckedIOException("could not close the dataset's stream", e);
        }
    }
}
