package dev.turnout.dataset;

import java.io.IOException;
import java.io.InputStream;

/** The bytes of a dataset file through a buffer, one at a time, for the readers' byte-level parsing. */
final class ByteSource implements AutoCloseable {

    static final int EOF = -1;
    private static final byte[] UTF8_BOM = {(byte) 0xEF, (byte) 0xBB, (byte) 0xBF};

    private final InputStream in;
    private final byte[] buffer = new byte[64 * 1024];
    private int position;
    private int limit;

    ByteSource(InputStream in) {
        this.in = in;
    }

    int read() throws IOException {
        if (position == limit && !fill()) {
            return EOF;
        }
        return buffer[position++] & 0xff;
    }

    int peek() throws IOException {
        if (position == limit && !fill()) {
            return EOF;
        }
        return buffer[position] & 0xff;
    }

    /**
     * Copies the buffered bytes up to the next comma, quote, CR or LF (not included), at most {@code max}; returns how
     * many. The CSV reader's shortcut through a field's ordinary bytes.
     */
    int copyPlain(byte[] to, int at, int max) {
        int end = Math.min(limit, position + max);
        int i = position;
        int j = at;
        while (i < end) { // copied while scanning: fields are short, an arraycopy call per field costs more
            byte b = buffer[i];
            if (b == ',' || b == '"' || b == '\n' || b == '\r') {
                break;
            }
            to[j++] = b;
            i++;
        }
        position = i;
        return j - at;
    }

    /** The read buffer, for a reader that scans ahead in it ({@link #buffered}, {@link #skip}); do not write to it. */
    byte[] buffer() {
        return buffer;
    }

    /** Where the next byte is in {@link #buffer()}. */
    int position() {
        return position;
    }

    /** The end of the buffered bytes in {@link #buffer()}. */
    int limit() {
        return limit;
    }

    /** Consumes {@code n} buffered bytes (a reader scanned them in place). */
    void skip(int n) {
        position += n;
    }

    /** Skips a UTF-8 byte order mark at the start (spreadsheets write one); call before reading anything. */
    void skipByteOrderMark() throws IOException {
        while (limit < UTF8_BOM.length) {
            int n = in.read(buffer, limit, buffer.length - limit);
            if (n < 0) {
                break;
            }
            limit += n;
        }
        if (limit >= UTF8_BOM.length && buffer[0] == UTF8_BOM[0] && buffer[1] == UTF8_BOM[1]
                && buffer[2] == UTF8_BOM[2]) {
            position = UTF8_BOM.length;
        }
    }

    private boolean fill() throws IOException {
        int n;
        do {
            n = in.read(buffer, 0, buffer.length);
        } while (n == 0);
        if (n < 0) {
            return false;
        }
        position = 0;
        limit = n;
        return true;
    }

    @Override
    public void close() throws IOException {
        in.close();
    }
}
