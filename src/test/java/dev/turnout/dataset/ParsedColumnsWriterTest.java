package dev.turnout.dataset;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardWatchEventKinds;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The numeric columns of a CSV parsed at upload, and read back: the values, the flags, and what is left out. */
class ParsedColumnsWriterTest {

    @TempDir
    Path dir;

    @Test
    void numericColumnsAreStoredAsTheirDoublesAndTheOthersAreLeftOut() throws IOException {
        Path csv = csv("""
                f1,name,count,big,label,spaced,tricky
                5.1234,a,3,3000000000,0,1.5,1.000000059604644775390625000001
                -0.5,"b, c",-0,12,2, 2.5,0.1
                "7.25",d,+17,-4,1,3,1e5
                """);
        ParsedColumnsWriter.Parsed parsed = write(csv, 3).orElseThrow();

        List<String> names = parsed.columns().stream().map(ParsedColumn::name).toList();
        assertEquals(List.of("f1", "count", "big", "label", "spaced", "tricky"), names);
        assertEquals(new ParsedColumn("f1", true, false, false, false, -0.5, 7.25), parsed.columns().get(0));
        assertEquals(new ParsedColumn("count", true, true, true, true, -0.0, 17), parsed.columns().get(1));
        assertEquals(new ParsedColumn("big", true, true, false, true, -4, 3e9), parsed.columns().get(2));
        assertEquals(new ParsedColumn("label", true, true, true, true, 0, 2), parsed.columns().get(3));
        // " 2.5" is parsed by the JDK from its stripped text, as an evaluation parses it
        assertEquals(new ParsedColumn("spaced", true, false, false, false, 1.5, 3), parsed.columns().get(4));
        // just above 1 + 2^-24: its double is that, halfway between two floats, which rounds to even (1), while its FP32
        // parse rounds up; an evaluation reading the double would give the model another value
        assertEquals(new ParsedColumn("tricky", false, false, false, false, 0.1, 1e5), parsed.columns().get(5));
        assertEquals(3L * 6 * Double.BYTES, parsed.size());
        assertEquals(dev.turnout.registry.Digests.sha256(parsed.file()), parsed.sha256());

        List<double[]> rows = read(parsed, 3);
        assertTrue(Arrays.equals(new double[] {5.1234, 3, 3e9, 0, 1.5, 1 + Math.pow(2, -24)}, rows.get(0)), Arrays.toString(rows.get(0)));
        assertEquals(Double.doubleToRawLongBits(-0.0), Double.doubleToRawLongBits(rows.get(1)[1]));
        assertTrue(Arrays.equals(new double[] {7.25, 17, -4, 1, 3, 1e5}, rows.get(2)), Arrays.toString(rows.get(2)));
        assertFalse(Files.exists(dir.resolve("parsed.all")), "the all-columns file is removed");
    }

    @Test
    void aCsvWithoutNumericColumnsOrWithAnUnparsableRowGetsNone() throws IOException {
        assertTrue(write(csv("a,b,c\nx,1.5e400,NaN\n\"\",2, \n"), 2).isEmpty()); // text, infinite, NaN, blank
        assertTrue(write(csv("a,b\n1,2\n1,2,3\n"), 2).isEmpty()); // a malformed row after all
        assertTrue(write(csv("a,b\n1,2\n3,4\n"), 3).isEmpty()); // not the rows the scan counted
        assertFalse(Files.exists(dir.resolve("parsed")));
        assertFalse(Files.exists(dir.resolve("parsed.all")));
    }

    @Test
    void aFileLargerThanItsRatioOfTheCsvIsNotWritten() throws IOException {
        StringBuilder text = new StringBuilder("a,b,c,d\n");
        for (int i = 0; i < 1000; i++) {
            text.append("1,2,3,4\n"); // 8 bytes a row of text, 32 bytes of doubles: 4 times
        }
        assertTrue(write(csv(text.toString()), 1000).isEmpty());
    }

    @Test
    void cuttingOutTheColumnsThatAreNotNumericTakesNoDiskBeyondTheFileOfAllColumns() throws Exception {
        // The ratio bounds the file of all the columns; a second file of the numeric ones beside it took up to twice
        // that bound in the spool (measured: 5.3 times a CSV of 63 two-digit columns and a text one, for a 3 times cap).
        Path csv = csv("a,note,b\n1.5,x,2.5\n3.5,y,4.5\n");
        try (WatchService watcher = dir.getFileSystem().newWatchService()) {
            dir.register(watcher, StandardWatchEventKinds.ENTRY_CREATE);
            ParsedColumnsWriter.Parsed parsed = write(csv, 2).orElseThrow();

            assertEquals(List.of("a", "b"), parsed.columns().stream().map(ParsedColumn::name).toList());
            List<double[]> rows = read(parsed, 2);
            assertTrue(Arrays.equals(new double[] {1.5, 2.5}, rows.get(0)), Arrays.toString(rows.get(0)));
            assertTrue(Arrays.equals(new double[] {3.5, 4.5}, rows.get(1)), Arrays.toString(rows.get(1)));
            Set<String> created = new TreeSet<>();
            for (WatchKey key = watcher.poll(1, TimeUnit.SECONDS); key != null;
                 key = watcher.poll(1, TimeUnit.SECONDS)) {
                key.pollEvents().forEach(event -> created.add(event.context().toString()));
                key.reset();
            }
            assertEquals(Set.of("parsed"), created, "the writer creates no file but its target");
        }
    }

    @Test
    void aStoredFileOfAnotherLengthThanTheVersionsRowsFailsTheReadInsteadOfEndingEarly() {
        byte[] twoRows = new byte[2 * 2 * Double.BYTES];
        try (ParsedRowsReader reader = new ParsedRowsReader(new ByteArrayInputStream(twoRows), 2, 3)) {
            assertTrue(reader.advance());
            assertTrue(reader.advance());
            assertThrows(IllegalStateException.class, reader::advance);
        }
        try (ParsedRowsReader reader = new ParsedRowsReader(new ByteArrayInputStream(twoRows), 2, 1)) {
            assertTrue(reader.advance());
            assertThrows(IllegalStateException.class, reader::advance);
        }
        byte[] torn = Arrays.copyOf(twoRows, twoRows.length - 3);
        try (ParsedRowsReader reader = new ParsedRowsReader(new ByteArrayInputStream(torn), 2, 2)) {
            assertThrows(IllegalStateException.class, reader::advance);
        }
    }

    private Path csv(String text) throws IOException {
        Path file = dir.resolve("data.csv");
        Files.writeString(file, text, StandardCharsets.UTF_8);
        return file;
    }

    private Optional<ParsedColumnsWriter.Parsed> write(Path csv, long rows) throws IOException {
        List<String> columns;
        try (CsvReader reader = CsvReader.open(Files.newInputStream(csv))) {
            columns = reader.columns();
        }
        return ParsedColumnsWriter.write(csv, rows, columns, dir.resolve("parsed"));
    }

    private static List<double[]> read(ParsedColumnsWriter.Parsed parsed, long rows) throws IOException {
        List<double[]> values = new ArrayList<>();
        int width = parsed.columns().size();
        try (ParsedRowsReader reader = new ParsedRowsReader(Files.newInputStream(parsed.file()), width, rows)) {
            while (reader.advance()) {
                double[] row = new double[width];
                for (int c = 0; c < width; c++) {
                    row[c] = reader.value(c);
                }
                values.add(row);
            }
        }
        return values;
    }
}
