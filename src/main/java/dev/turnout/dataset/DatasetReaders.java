package dev.turnout.dataset;

import dev.turnout.error.TurnoutException;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** Opens a reader for a format, and recognises the format of a file that does not name it. */
final class DatasetReaders {

    /** How much of a file recognising its format looks at. */
    static final int SNIFF_BYTES = 8192;

    private DatasetReaders() {
    }

    /** A reader over {@code in}; {@code columns}: a stored JSON Lines version's, or null. The reader owns the stream. */
    static RowReader open(DatasetFormat format, InputStream in, List<String> columns) throws IOException {
        try {
            return switch (format) {
                case CSV -> CsvReader.open(in);
                case JSONL -> JsonLinesReader.open(in, columns);
            };
        } catch (IOException | RuntimeException e) {
            in.close();
            throw e;
        }
    }

    /**
     * The format of a file by its first bytes: a line starting with '{' is JSON Lines, anything else CSV (whose header
     * then has to parse). A NUL byte means a binary file, '[' a JSON array: both refused (400) as neither.
     */
    static DatasetFormat detect(Path file) throws IOException {
        byte[] head;
        try (InputStream in = Files.newInputStream(file)) {
            head = in.readNBytes(SNIFF_BYTES);
        }
        int start = head.length >= 3 && head[0] == (byte) 0xEF && head[1] == (byte) 0xBB && head[2] == (byte) 0xBF
                ? 3 : 0;
        for (byte b : head) {
            if (b == 0) {
                throw notCsvOrJsonLines("a binary file (it holds NUL bytes)");
            }
        }
        for (int i = start; i < head.length; i++) {
            byte b = head[i];
            if (b == ' ' || b == '\t' || b == '\r' || b == '\n') {
                continue;
            }
            if (b == '{') {
                return DatasetFormat.JSONL;
            }
            if (b == '[') {
                throw notCsvOrJsonLines("a JSON array; JSON Lines holds one object per line, with no enclosing array");
            }
            return DatasetFormat.CSV;
        }
        return DatasetFormat.CSV; // blank: refused as a CSV without a header
    }

    private static TurnoutException notCsvOrJsonLines(String what) {
        return TurnoutException.invalid("the data is " + what + ", neither CSV nor JSON Lines; accepted formats: "
                + DatasetFormat.ACCEPTED);
    }
}
