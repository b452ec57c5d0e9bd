package dev.turnout.dataset;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * A CSV file read the two ways an evaluation reads a version, for tests outside this package: as text (the cursor an
 * evaluation gets from the store) and as its parsed columns (written as at upload, read back as from the store).
 */
public final class ParsedColumnsFixture {

    /** The parsed file and its columns. */
    public record Parsed(Path file, List<ParsedColumn> columns, long rows) {

        /** Its rows, as an evaluation reads them. */
        public ParsedRows open() throws IOException {
            return new ParsedRowsReader(Files.newInputStream(file), columns.size(), rows);
        }
    }

    private ParsedColumnsFixture() {
    }

    /** The CSV's columns parsed into {@code target} as at upload; empty when it gets none. */
    public static Optional<Parsed> parse(Path csv, long rows, List<String> columns, Path target) throws IOException {
        return ParsedColumnsWriter.write(csv, rows, columns, target)
                .map(parsed -> new Parsed(parsed.file(), parsed.columns(), rows));
    }

    /** The CSV's rows as text, in place. */
    public static DatasetCursor cursor(Path csv) throws IOException {
        return CsvReader.open(Files.newInputStream(csv));
    }
}
