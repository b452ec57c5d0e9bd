package dev.turnout.dataset;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Set;
import java.util.TreeSet;

/**
 * JSON Lines, UTF-8: one JSON object per line (LF or CRLF); blank lines are skipped and are no rows; a UTF-8 byte
 * order mark is skipped. The keys of the first object are the columns, and every row must have exactly those keys (in
 * any order). A line that is not valid JSON, not an object, has other keys, repeats a key, is not UTF-8 or is longer
 * than {@link DatasetRules#MAX_ROW_BYTES} is a malformed row. Values: strings as they are, numbers as written
 * ({@code 5.10} stays "5.10"), booleans "true"/"false", null as null, arrays and objects as their JSON text.
 */
final class JsonLinesReader implements RowReader {

    private static final ObjectMapper JSON = new ObjectMapper()
            .setNodeFactory(JsonNodeFactory.withExactBigDecimals(true))
            .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION);

    private final ByteSource source;
    private final Utf8 utf8 = new Utf8();
    private List<String> columns;
    private Set<String> columnSet;
    private byte[] bytes = new byte[1024];
    private int length;
    private boolean tooLong;
    private long line;
    private long number;
    private DatasetRow next;
    private boolean ended;

    private JsonLinesReader(ByteSource source, List<String> columns) {
        this.source = source;
        if (columns != null) {
            useColumns(columns);
        }
    }

    /**
     * A reader of the file's rows; {@code columns} are those of a stored version, or null to take the first object's
     * keys. The caller closes it.
     */
    static JsonLinesReader open(InputStream in, List<String> columns) throws IOException {
        JsonLinesReader reader = new JsonLinesReader(new ByteSource(in), columns);
        reader.source.skipByteOrderMark();
        return reader;
    }

    @Override
    public List<String> columns() {
        return columns;
    }

    private void useColumns(List<String> names) {
        columns = List.copyOf(names);
        columnSet = new TreeSet<>(names);
    }

    @Override
    public boolean hasNext() {
        if (next == null && !ended) {
            try {
                next = readRow();
            } catch (IOException e) {
                throw new UncheckedIOException("could not read the dataset", e);
            }
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

    private DatasetRow readRow() throws IOException {
        while (readLine()) {
            if (!tooLong && blank()) {
                continue;
            }
            number++;
            return parse();
        }
        return null;
    }

    private DatasetRow parse() {
        String at = "line " + line + ": ";
        if (tooLong) {
            return DatasetRow.malformed(number, at + "the row is longer than " + DatasetRules.MAX_ROW_BYTES + " bytes");
        }
        String text = utf8.decode(bytes, 0, length);
        if (text == null) {
            return DatasetRow.malformed(number, at + "not valid UTF-8");
        }
        JsonNode node;
        try {
            node = JSON.readTree(text);
        } catch (JsonProcessingException e) {
            return DatasetRow.malformed(number, at + "not valid JSON (" + Problems.quote(e.getOriginalMessage()) + ")");
        }
        if (!node.isObject()) {
            return DatasetRow.malformed(number, at + "a JSON " + node.getNodeType().name().toLowerCase()
                    + ", not an object; each line must be one JSON object");
        }
        if (columns == null) {
            if (node.isEmpty()) {
                return DatasetRow.malformed(number, at + "an object with no keys; the first object names the columns");
            }
            if (node.size() > DatasetRules.MAX_COLUMNS) {
                return DatasetRow.malformed(number, at + "more than " + DatasetRules.MAX_COLUMNS + " keys");
            }
            List<String> names = new ArrayList<>();
            node.fieldNames().forEachRemaining(names::add);
            useColumns(names);
        }
        if (node.size() != columns.size() || !columnSet.containsAll(keys(node))) {
            return DatasetRow.malformed(number, at + differentKeys(node));
        }
        Map<String, String> values = new LinkedHashMap<>(columns.size() * 2);
        for (String column : columns) {
            values.put(column, text(node.get(column)));
        }
        return DatasetRow.parsed(number, values);
    }

    private static String text(JsonNode value) {
        if (value.isNull()) {
            return null;
        }
        if (value.isTextual()) {
            return value.textValue();
        }
        return value.isContainerNode() ? value.toString() : value.asText();
    }

    private static Set<String> keys(JsonNode node) {
        Set<String> keys = new TreeSet<>();
        node.fieldNames().forEachRemaining(keys::add);
        return keys;
    }

    private String differentKeys(JsonNode node) {
        Set<String> keys = keys(node);
        Set<String> missing = new TreeSet<>(columnSet);
        missing.removeAll(keys);
        Set<String> extra = new TreeSet<>(keys);
        extra.removeAll(columnSet);
        StringBuilder text = new StringBuilder("keys differ from the columns (the first object's keys):");
        if (!missing.isEmpty()) {
            text.append(" missing ").append(Problems.quote(String.join(", ", missing)));
        }
        if (!extra.isEmpty()) {
            text.append(missing.isEmpty() ? "" : ";").append(" not a column ")
                    .append(Problems.quote(String.join(", ", extra)));
        }
        return text.toString();
    }

    private boolean blank() {
        for (int i = 0; i < length; i++) {
            byte b = bytes[i];
            if (b != ' ' && b != '\t' && b != '\r') {
                return false;
            }
        }
        return true;
    }

    /** Reads the next line into {@link #bytes} (without its line break); false at the end of the file. */
    private boolean readLine() throws IOException {
        length = 0;
        tooLong = false;
        int b = source.read();
        if (b == ByteSource.EOF) {
            return false;
        }
        line++;
        while (b != ByteSource.EOF && b != '\n') {
            if (length == bytes.length) {
                if (length >= DatasetRules.MAX_ROW_BYTES) {
                    tooLong = true;
                } else {
                    bytes = Arrays.copyOf(bytes, Math.min(length * 2, DatasetRules.MAX_ROW_BYTES));
                }
            }
            if (!tooLong) {
                bytes[length++] = (byte) b;
            }
            b = source.read();
        }
        if (length > 0 && bytes[length - 1] == '\r') {
            length--;
        }
        return true;
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
