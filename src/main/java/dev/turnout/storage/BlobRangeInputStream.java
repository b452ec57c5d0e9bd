package dev.turnout.storage;

import java.io.IOException;
import java.io.InputStream;

/**
 * A blob's bytes up to the end of the range asked for; the subclasses of the postgres store only say how to read the
 * next few. A read of 0 bytes answers 0, not the end: {@code readAllBytes} asks for 0 bytes once its buffer is full.
 */
abstract class BlobRangeInputStream extends InputStream {

    private long left;
    private boolean closed;

    BlobRangeInputStream(long length) {
        this.left = length;
    }

    /** Reads 1 to {@code length} bytes of the blob, or -1 at its end; never asked for more than what is left. */
    protected abstract int readSome(byte[] buffer, int offset, int length) throws IOException;

    /** Gives back what the stream holds (its connection, its transaction); called once, by the first close. */
    protected abstract void release() throws IOException;

    /** Bytes of the range not read yet. */
    protected final long left() {
        return left;
    }

    @Override
    public final int read() throws IOException {
        byte[] one = new byte[1];
        return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public final int read(byte[] buffer, int offset, int length) throws IOException {
        if (left <= 0) {
            return -1;
        }
        if (length == 0) {
            return 0;
        }
        int n = readSome(buffer, offset, (int) Math.min(length, left));
        if (n > 0) {
            left -= n;
        }
        return n;
    }

    @Override
    public final void close() throws IOException {
        if (!closed) {
            closed = true;
            release();
        }
    }
}
