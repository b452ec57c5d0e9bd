package dev.turnout.dataset;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class JsonLinesReaderTest {

    static List<DatasetRow> rows(byte[] bytes, List<String> columns) throws Exception {
        try (RowReader reader = JsonLinesReader.open(new ByteArrayInputStream(bytes), columns)) {
            List<DatasetRow> rows = new ArrayList<>();
            reader.forEachRemaining(rows::add);
            return rows;
        }
    }

    static List<DatasetRow> rows(String text) throws Exception {
        return rows(text.getBytes(StandardCharsets.UTF_8), null);
    }

    @Test
    void valuesAsText() throws Exception {
        List<DatasetRow> rows = rows("{\"x\": 5.10, \"n\": 3, \"label\": \"setosa\", \"ok\": true, \"none\": null, "
                + "\"v\": [1, 2.5], \"o\": {\"k\": \"v\"}, \"e\": 1e3}\n");
        Map<String, String> values = rows.get(0).values();
        assertEquals("5.10", values.get("x"), "numbers as written");
        assertEquals("3", values.get("n"));
        assertEquals("setosa", values.get("label"));
        assertEquals("true", values.get("ok"));
        assertTrue(values.containsKey("none"));
        assertNull(values.get("none"));
        assertEquals("[1,2.5]", values.get("v"));
        assertEquals("{\"k\":\"v\"}", values.get("o"));
        assertEquals(1000.0, Double.parseDouble(values.get("e")));
        assertEquals(List.of("x", "n", "label", "ok", "none", "v", "o", "e"), new ArrayList<>(values.keySet()));
    }

    @Test
    void keysInAnyOrderCrlfBlankLinesAndBom() throws Exception {
        byte[] text = "{\"a\":1,\"b\":2}\r\n\r\n  \n{\"b\":4,\"a\":3}".getBytes(StandardCharsets.UTF_8);
        byte[] bom = {(byte) 0xEF, (byte) 0xBB, (byte) 0xBF};
        byte[] both = Arrays.copyOf(bom, bom.length + text.length);
        System.arraycopy(text, 0, both, bom.length, text.length);
        List<DatasetRow> rows = rows(both, null);
        assertEquals(2, rows.size());
        assertEquals(Map.of("a", "3", "b", "4"), rows.get(1).values());
        assertEquals(List.of("a", "b"), new ArrayList<>(rows.get(1).values().keySet()), "column order");
        assertEquals(2, rows.get(1).number());
    }

    @Test
    void malformedLines() throws Exception {
        List<DatasetRow> rows = rows("""
                {"a": 1, "b": 2}
                [1, 2]
                {"a": 1}
                {"a": 1, "b": 2, "c": 3}
                {"a": 1, "b": 2
                {"a": 1, "a": 2, "b": 3}
                "text"
                {"a": 5, "b": 6} trailing
                {"b": "x", "a": "y"}
                """);
        assertEquals(9, rows.size());
        assertTrue(rows.get(1).problem().contains("line 2: a JSON array, not an object"), rows.get(1).problem());
        assertTrue(rows.get(2).problem().contains("line 3: keys differ") && rows.get(2).problem().contains("missing b"),
                rows.get(2).problem());
        assertTrue(rows.get(3).problem().contains("not a column c"), rows.get(3).problem());
        assertTrue(rows.get(4).problem().contains("line 5: not valid JSON"), rows.get(4).problem());
        assertTrue(rows.get(5).problem().contains("line 6: not valid JSON"), rows.get(5).problem());
        assertTrue(rows.get(6).problem().contains("a JSON string, not an object"), rows.get(6).problem());
        assertTrue(rows.get(7).problem().contains("line 8: not valid JSON"), rows.get(7).problem());
        assertEquals(Map.of("a", "y", "b", "x"), rows.get(8).values());
    }

    @Test
    void theFirstObjectNamesTheColumnsEvenAfterMalformedLines() throws Exception {
        try (RowReader reader = JsonLinesReader.open(new ByteArrayInputStream(
                "not json\n{}\n{\"k\": 1}\n".getBytes(StandardCharsets.UTF_8)), null)) {
            List<DatasetRow> rows = new ArrayList<>();
            reader.forEachRemaining(rows::add);
            assertTrue(rows.get(1).problem().contains("an object with no keys"), rows.get(1).problem());
            assertEquals(List.of("k"), reader.columns());
            assertEquals(3, rows.get(2).number());
        }
    }

    @Test
    void storedColumnsApplyFromTheFirstLine() throws Exception {
        List<DatasetRow> rows = rows("{\"z\": 1}\n{\"a\": 1}\n".getBytes(StandardCharsets.UTF_8), List.of("a"));
        assertTrue(rows.get(0).isMalformed());
        assertEquals(new HashMap<>(Map.of("a", "1")), rows.get(1).values());
    }

    @Test
    void invalidUtf8AndOverlongLines() throws Exception {
        byte[] bytes = "{\"a\": \"X\"}\n{\"a\": \"ok\"}\n".getBytes(StandardCharsets.US_ASCII);
        bytes[7] = (byte) 0xFF;
        List<DatasetRow> rows = rows(bytes, null);
        assertTrue(rows.get(0).problem().contains("line 1: not valid UTF-8"), rows.get(0).problem());
        assertEquals("ok", rows.get(1).values().get("a"));

        String huge = "{\"a\": \"" + "x".repeat(DatasetRules.MAX_ROW_BYTES) + "\"}";
        rows = rows(huge + "\n{\"a\": \"y\"}\n");
        assertTrue(rows.get(0).problem().contains("longer than"), rows.get(0).problem());
        assertEquals("y", rows.get(1).values().get("a"));
    }
}
