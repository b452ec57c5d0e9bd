package dev.turnout.dataset;

import dev.turnout.registry.Digests;

import java.io.IOException;
import java.io.InputStream;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.function.ToDoubleFunction;
import java.util.stream.IntStream;

/**
 * Parses the numeric columns of an uploaded CSV once, at upload, into a file of doubles (row after row, each row its
 * numeric columns in order, little-endian), so that every evaluation of the version reads numbers instead of parsing
 * the same text again. A column is numeric when every value of it is a finite number as an evaluation parses an FP64
 * input (from the bytes by {@link Decimals} where it can, else by the JDK from the stripped text); the flags of
 * {@link ParsedColumn} record in which other forms, parsed the same way, the values are exact. Two passes over local
 * files: the CSV, writing every column to the target (a value that is not a number as NaN), then, when some columns
 * were not numeric, the target compacted in place to the numeric ones, so the disk it takes never exceeds the file of
 * all the columns that {@link #MAX_SIZE_RATIO} bounds.
 */
final class ParsedColumnsWriter {

    /** The file written: its digest and size, and its columns in order. */
    record Parsed(Path file, String sha256, long size, List<ParsedColumn> columns) {
    }

    /**
     * No file is written when the CSV's columns as doubles, all of them (the file as first written, before the columns
     * that are not numeric are cut out), would take more than this many times the CSV: a CSV of one-digit numbers (two
     * bytes a value with its comma) would take four times its size, and its text is cheap to parse anyway.
     */
    static final int MAX_SIZE_RATIO = 3;

    private static final VarHandle DOUBLES = MethodHandles.byteArrayViewVarHandle(double[].class,
            ByteOrder.LITTLE_ENDIAN);
    private static final long DOUBLE_EXACT = 1L << 53;
    private static final int BUFFER = 1 << 20;

    private ParsedColumnsWriter() {
    }

    /**
     * Writes {@code target} from the CSV, whose scan found {@code rows} data rows and none malformed. Empty when no
     * column is numeric, when the file would be too large, or when a row does not parse after all (nothing is then
     * left at {@code target}).
     */
    static Optional<Parsed> write(Path csv, long rows, List<String> columns, Path target) throws IOException {
        int width = columns.size();
        if ((double) rows * width * Double.BYTES > (double) MAX_SIZE_RATIO * Files.size(csv)) {
            return Optional.empty();
        }
        try {
            Stats[] stats = writeAll(csv, rows, width, target);
            int[] numeric = stats == null ? new int[0]
                    : IntStream.range(0, width).filter(c -> stats[c].numeric).toArray();
            if (numeric.length == 0) {
                Files.deleteIfExists(target);
                return Optional.empty();
            }
            if (numeric.length < width) {
                compact(target, width, numeric);
            }
            List<ParsedColumn> parsed = new ArrayList<>();
            for (int c : numeric) {
                parsed.add(stats[c].column(columns.get(c)));
            }
            return Optional.of(new Parsed(target, Digests.sha256(target), Files.size(target), List.copyOf(parsed)));
        } catch (IOException | RuntimeException e) {
            Files.deleteIfExists(target);
            throw e;
        }
    }

    /** Every column of every row into {@code file}; null when a row is malformed or the count differs. */
    private static Stats[] writeAll(Path csv, long rows, int width, Path file) throws IOException {
        Stats[] stats = new Stats[width];
        Arrays.setAll(stats, c -> new Stats());
        ByteBuffer out = ByteBuffer.allocate(Math.max(BUFFER, width * Double.BYTES)).order(ByteOrder.LITTLE_ENDIAN);
        long read = 0;
        try (InputStream in = Files.newInputStream(csv);
             CsvReader reader = CsvReader.open(in);
             FileChannel channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                     StandardOpenOption.TRUNCATE_EXISTING)) {
            while (reader.advance()) {
                if (reader.problem() != null) {
                    return null;
                }
                read++;
                if (out.remaining() < width * Double.BYTES) {
                    drain(out, channel);
                }
                for (int c = 0; c < width; c++) {
                    out.putDouble(stats[c].add(reader, c));
                }
            }
            drain(out, channel);
        }
        return read == rows ? stats : null;
    }

    /**
     * Keeps only the numeric columns of each row of {@code file}, in place: each chunk of rows, once read, is written
     * back shorter at or before where it was read, and the file is then cut to what was written.
     */
    private static void compact(Path file, int width, int[] numeric) throws IOException {
        int rowBytes = width * Double.BYTES;
        int chunkRows = Math.max(1, BUFFER / rowBytes);
        byte[] rowsIn = new byte[chunkRows * rowBytes];
        ByteBuffer out = ByteBuffer.allocate(chunkRows * numeric.length * Double.BYTES).order(ByteOrder.LITTLE_ENDIAN);
        long readAt = 0;
        long writeAt = 0;
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            for (int n = read(channel, rowsIn, readAt); n > 0; n = read(channel, rowsIn, readAt)) {
                readAt += n;
                for (int row = 0; row < n; row += rowBytes) {
                    for (int c : numeric) {
                        out.putDouble((double) DOUBLES.get(rowsIn, row + c * Double.BYTES));
                    }
                }
                out.flip();
                while (out.hasRemaining()) {
                    writeAt += channel.write(out, writeAt);
                }
                out.clear();
            }
            channel.truncate(writeAt);
        }
    }

    /** Fills {@code buffer} from the file's {@code position} on, as far as the file goes; the bytes read. */
    private static int read(FileChannel channel, byte[] buffer, long position) throws IOException {
        int filled = 0;
        while (filled < buffer.length) { // a read may stop short of the buffer's end before the file's
            int n = channel.read(ByteBuffer.wrap(buffer, filled, buffer.length - filled), position + filled);
            if (n < 0) {
                break;
            }
            filled += n;
        }
        return filled;
    }

    private static void drain(ByteBuffer out, FileChannel channel) throws IOException {
        out.flip();
        while (out.hasRemaining()) {
            channel.write(out);
        }
        out.clear();
    }

    /** What one column's values have been so far. */
    private static final class Stats {
        boolean numeric = true;
        boolean float32 = true;
        boolean int64 = true;
        boolean int32 = true;
        boolean whole = true;
        double min = Double.POSITIVE_INFINITY;
        double max = Double.NEGATIVE_INFINITY;

        /**
         * The value as a double (NaN once the column is not numeric), and in each other form, parsed as an evaluation
         * parses it: from the bytes when plain and {@link Decimals} can, else the JDK from the stripped text.
         */
        double add(CsvReader row, int column) {
            if (!numeric) {
                return Double.NaN;
            }
            boolean plain = row.plain(column);
            byte[] bytes = row.bytes();
            int from = row.start(column);
            int to = row.end(column);
            String text = null;
            double value = plain ? Decimals.parseDouble(bytes, from, to) : Double.NaN;
            if (Double.isNaN(value)) {
                text = row.text(column).strip();
                value = parse(text, Double::parseDouble);
            }
            if (!Double.isFinite(value)) { // not a number, or one no label or input takes alike
                numeric = false;
                return Double.NaN;
            }
            if (float32) {
                float single = plain ? Decimals.parseFloat(bytes, from, to) : Float.NaN;
                if (Float.isNaN(single)) {
                    text = text != null ? text : row.text(column).strip();
                    single = (float) parse(text, Float::parseFloat);
                }
                float32 = Float.floatToRawIntBits(single) == Float.floatToRawIntBits((float) value);
            }
            if (int64) {
                long integer = plain ? Decimals.parseLong(bytes, from, to) : Decimals.NOT_PARSED;
                if (integer == Decimals.NOT_PARSED) {
                    text = text != null ? text : row.text(column).strip();
                    integer = parseLong(text);
                }
                int64 = integer != Decimals.NOT_PARSED && Math.abs(integer) <= DOUBLE_EXACT && integer == (long) value;
                int32 = int64 && int32 && integer == (int) integer;
            }
            whole &= value == Math.rint(value);
            min = Math.min(min, value);
            max = Math.max(max, value);
            return value;
        }

        private static double parse(String text, ToDoubleFunction<String> parser) {
            try {
                return parser.applyAsDouble(text);
            } catch (NumberFormatException e) {
                return Double.NaN;
            }
        }

        private static long parseLong(String text) {
            try {
                return Long.parseLong(text);
            } catch (NumberFormatException e) {
                return Decimals.NOT_PARSED;
            }
        }

        ParsedColumn column(String name) {
            return new ParsedColumn(name, float32, int64, int32, whole, min, max); // int32 only ever with int64
        }
    }
}
