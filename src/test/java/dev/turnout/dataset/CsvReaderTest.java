package dev.turnout.dataset;

import dev.turnout.error.TurnoutException;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class CsvReaderTest {

    static List<DatasetRow> rows(byte[] bytes) throws Exception {
        try (RowReader reader = CsvReader.open(new ByteArrayInputStream(bytes))) {
            List<DatasetRow> rows = new ArrayList<>();
            reader.forEachRemaining(rows::add);
            return rows;
        }
    }

    static List<DatasetRow> rows(String text) throws Exception {
        return rows(text.getBytes(StandardCharsets.UTF_8));
    }

    static List<String> columns(String text) throws Exception {
        try (RowReader reader = CsvReader.open(new ByteArrayInputStream(text.getBytes(StandardCharsets.UTF_8)))) {
            return reader.columns();
        }
    }

    @Test
    void headerAndRows() throws Exception {
        List<DatasetRow> rows = rows("a,b,c\n1,2,3\n4,5,6\n");
        assertEquals(List.of("a", "b", "c"), columns("a,b,c\n1,2,3\n"));
        assertEquals(2, rows.size());
        assertEquals(new DatasetRow(1, Map.of("a", "1", "b", "2", "c", "3"), null), rows.get(0));
        assertEquals(List.of("a", "b", "c"), new ArrayList<>(rows.get(1).values().keySet()), "column order");
        assertEquals(2, rows.get(1).number());
    }

    @Test
    void quotingWithCommasQuotesAndEmbeddedNewlines() throws Exception {
        List<DatasetRow> rows = rows("text,n\n\"a, \"\"quoted\"\" b\",1\n\"two\nlines\r\nhere\",2\n\"\",3\n,4\n");
        assertEquals(4, rows.size());
        assertEquals("a, \"quoted\" b", rows.get(0).values().get("text"));
        assertEquals("two\nlines\r\nhere", rows.get(1).values().get("text"));
        assertEquals("", rows.get(2).values().get("text"));
        assertEquals("", rows.get(3).values().get("text"));
        assertEquals("4", rows.get(3).values().get("n"));
    }

    @Test
    void crlfCrAndNoFinalLineBreak() throws Exception {
        assertEquals(List.of("1", "3"), values(rows("a,b\r\n1,2\r\n3,4"), "a"));
        assertEquals(List.of("1", "3"), values(rows("a,b\r1,2\r3,4\r"), "a"));
        assertEquals("2", rows("a,b\r\n1,2\r\n").get(0).values().get("b"), "no \\r left in the last field");
    }

    @Test
    void byteOrderMarkIsSkipped() throws Exception {
        byte[] bom = {(byte) 0xEF, (byte) 0xBB, (byte) 0xBF};
        byte[] text = "sepal,label\n5.1,setosa\n".getBytes(StandardCharsets.UTF_8);
        byte[] both = Arrays.copyOf(bom, bom.length + text.length);
        System.arraycopy(text, 0, both, bom.length, text.length);
        try (RowReader reader = CsvReader.open(new ByteArrayInputStream(both))) {
            assertEquals(List.of("sepal", "label"), reader.columns());
            assertEquals("5.1", reader.next().values().get("sepal"));
        }
    }

    @Test
    void blankLinesAreNoRows() throws Exception {
        List<DatasetRow> rows = rows("\n\na,b\n\n1,2\n\r\n3,4\n\n");
        assertEquals(List.of("1", "3"), values(rows, "a"));
        assertEquals(List.of(1L, 2L), rows.stream().map(DatasetRow::number).toList());
    }

    @Test
    void malformedRowsAreCountedWithTheirLineAndReadingGoesOn() throws Exception {
        List<DatasetRow> rows = rows("a,b\n1,2,3\nx\"y,2\n\"q\"z,2\n5,6\n7\n8,9\n");
        assertEquals(6, rows.size());
        assertTrue(rows.get(0).problem().contains("line 2: 3 fields where the header has 2 columns"),
                rows.get(0).problem());
        assertNull(rows.get(0).values());
        assertTrue(rows.get(1).problem().contains("line 3: a quote inside an unquoted field"), rows.get(1).problem());
        assertTrue(rows.get(2).problem().contains("line 4: text after the closing quote"), rows.get(2).problem());
        assertEquals(Map.of("a", "5", "b", "6"), rows.get(3).values());
        assertTrue(rows.get(4).problem().contains("line 6: 1 field where the header has 2"), rows.get(4).problem());
        assertEquals(Map.of("a", "8", "b", "9"), rows.get(5).values());
        assertEquals(6, rows.get(5).number());
    }

    @Test
    void lineNumbersCountLineBreaksInsideQuotes() throws Exception {
        List<DatasetRow> rows = rows("a,b\n\"1\n2\",3\n4,5,6\n");
        assertTrue(rows.get(1).problem().startsWith("line 4:"), rows.get(1).problem());
    }

    @Test
    void anUnclosedQuoteIsOneMalformedRow() throws Exception {
        List<DatasetRow> rows = rows("a,b\n1,2\n\"open,3\n4,5\n");
        assertEquals(2, rows.size());
        assertTrue(rows.get(1).problem().contains("opened on line 3 is never closed"), rows.get(1).problem());
    }

    @Test
    void invalidUtf8IsAMalformedRow() throws Exception {
        byte[] bytes = "a,b\n1,X\n3,4\n".getBytes(StandardCharsets.US_ASCII);
        bytes[6] = (byte) 0xC3; // a lead byte with no continuation
        List<DatasetRow> rows = rows(bytes);
        assertTrue(rows.get(0).problem().contains("line 2: not valid UTF-8"), rows.get(0).problem());
        assertEquals("4", rows.get(1).values().get("b"));
        assertEquals("é", rows("a\n\"é\"\n").get(0).values().get("a"));
    }

    @Test
    void aRowOverTheLimitIsMalformedAndReadingResumesAtTheNextLine() throws Exception {
        String huge = "x".repeat(DatasetRules.MAX_ROW_BYTES + 10);
        List<DatasetRow> rows = rows("a,b\n" + huge + ",1\n2,3\n");
        assertEquals(2, rows.size());
        assertTrue(rows.get(0).problem().contains("longer than"), rows.get(0).problem());
        assertEquals(Map.of("a", "2", "b", "3"), rows.get(1).values());
    }

    @Test
    void readInPlaceTheRowsAreThoseOfTheIterator() throws Exception {
        byte[] invalid = "a,b\n1,X\n3,4\n".getBytes(StandardCharsets.US_ASCII);
        invalid[6] = (byte) 0xC3;
        List<byte[]> files = List.of(invalid, bytes("a,b,c\n1,2,3\n4,5,6\n"),
                bytes("text,n\n\"a, \"\"quoted\"\" b\",1\n\"two\nlines\r\nhere\",2\n\"\",3\n,4\n"),
                bytes("\n\na,b\n\n1,2\n\r\n3,4\n\n"), bytes("a,b\n1,2,3\nx\"y,2\n\"q\"z,2\n5,6\n7\n8,9\n"),
                bytes("a,b\n1,2\n\"open,3\n4,5\n"), bytes("a,b\n\"é\",-1.5e3\r\n0.25,\"x\"\r"),
                bytes("a,b\n" + "x".repeat(DatasetRules.MAX_ROW_BYTES + 10) + ",1\n2,3\n"),
                // rows longer than the reader's first row buffer, copied (quoted: it grows) and read in place
                bytes("a,b\n\"" + "y".repeat(3000) + "\",1\n" + "z".repeat(3000) + ",2\n3,4\n"));
        for (byte[] file : files) {
            List<DatasetRow> expected = rows(file);
            int seen = 0;
            try (CsvReader cursor = CsvReader.open(new ByteArrayInputStream(file))) {
                while (cursor.advance()) {
                    DatasetRow row = expected.get(seen++);
                    assertEquals(row.number(), cursor.number());
                    assertEquals(row.problem(), cursor.problem());
                    if (row.problem() != null) {
                        continue;
                    }
                    for (int c = 0; c < cursor.columns().size(); c++) {
                        String text = row.values().get(cursor.columns().get(c));
                        assertEquals(text, cursor.text(c));
                        if (cursor.plain(c)) {
                            assertEquals(text, new String(cursor.bytes(), cursor.start(c),
                                    cursor.end(c) - cursor.start(c), StandardCharsets.US_ASCII));
                        }
                    }
                }
            }
            assertEquals(expected.size(), seen);
        }
    }

    @Test
    void rowsReadInOnePassAreTheRowsReadByteByByte() throws Exception {
        // Whole buffers let the reader take a plain record in one pass; one byte per read leaves every record to the
        // state machine; 7 bytes per read puts line ends, CRLFs and quotes on the buffer's edge.
        StringBuilder mixed = new StringBuilder("f1,f2,label\n");
        String[] odd = {"\"q,1\",2,3", "", "é,1,2", "1,2", "1,2,3,4", "a\"b,1,2", "\"x\"y,1,2", ",,", "\r", "1,,3\r"};
        for (int i = 0; i < 30_000; i++) {
            mixed.append(i % 97 == 0 ? odd[(i / 97) % odd.length] : (i % 3 - 1) * 0.125 * i + "," + i + "," + i % 3)
                    .append(i % 5 == 0 ? "\r\n" : "\n");
        }
        List<byte[]> files = List.of(bytes(mixed.toString()), bytes("a,b\r\n1,2\r3,4\n\n5,6"),
                bytes("a,b\n" + "x".repeat(DatasetRules.MAX_ROW_BYTES + 10) + ",1\n2,3\n"));
        for (byte[] file : files) {
            List<DatasetRow> whole = rows(file);
            for (int chunk : new int[] {1, 7}) {
                List<DatasetRow> chunked;
                try (RowReader reader = CsvReader.open(new ChunkedInputStream(file, chunk))) {
                    chunked = new ArrayList<>();
                    reader.forEachRemaining(chunked::add);
                }
                assertEquals(whole, chunked, "read " + chunk + " byte(s) at a time");
            }
        }
    }

    /** Answers at most {@code chunk} bytes per read. */
    private static final class ChunkedInputStream extends ByteArrayInputStream {
        private final int chunk;

        ChunkedInputStream(byte[] bytes, int chunk) {
            super(bytes);
            this.chunk = chunk;
        }

        @Override
        public synchronized int read(byte[] b, int off, int len) {
            return super.read(b, off, Math.min(len, chunk));
        }
    }

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void headersThatDoNotParseAreRefused() {
        assertRefused("", "no header row");
        assertRefused("\n\n", "no header row");
        assertRefused(",a,b\n1,2,3\n", "column 1 of the CSV header has no name");
        assertRefused("a,b,a\n", "names the column 'a' twice");
        assertRefused("a\"b,c\n", "header row does not parse");
    }

    private static void assertRefused(String csv, String message) {
        TurnoutException refused = assertThrows(TurnoutException.class, () -> rows(csv));
        assertTrue(refused.getMessage().contains(message), refused.getMessage());
    }

    private static List<String> values(List<DatasetRow> rows, String column) {
        return rows.stream().map(row -> row.values().get(column)).toList();
    }
}
