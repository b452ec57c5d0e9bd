package dev.turnout.http;

import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * A spool file while {@link StreamedUpload} writes it, readable at the same time: a reader gets the bytes received so
 * far and waits at the end for more, until the body is complete (its end) or the receive failed (an IOException). So
 * a store can take the bytes while they arrive instead of after.
 */
public final class GrowingSpool {

    private final Path file;
    private long written; // guarded by this
    private StreamedUpload.Received received; // guarded by this; set once the body is complete
    private Throwable failure; // guarded by this

    GrowingSpool(Path file) {
        this.file = file;
    }

    public Path file() {
        return file;
    }

    synchronized void wrote(long bytes) {
        written += bytes;
        notifyAll();
    }

    synchronized void complete(StreamedUpload.Received whole) {
        received = whole;
        notifyAll();
    }

    /** Ends every read with an IOException: the receive failed, or the upload was refused before it ended. */
    public synchronized void fail(Throwable cause) {
        if (received == null && failure == null) {
            failure = cause;
            notifyAll();
        }
    }

    /** The whole body's size and digest; only once a reader has read to its end. */
    public synchronized StreamedUpload.Received received() {
        if (received == null) {
            throw new IllegalStateException("the body is not complete yet");
        }
        return received;
    }

    /** The end of what may be read past {@code position} now, waiting for it; -1 at the end of a complete body. */
    private synchronized long readableEnd(long position) throws IOException {
        while (true) {
            if (failure != null) {
                throw new IOException("the upload was not received whole", failure);
            }
            if (written > position) {
                return written;
            }
            if (received != null) {
                return -1;
            }
            try {
                wait();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new InterruptedIOException("interrupted while waiting for the upload's bytes");
            }
        }
    }

    /** The spool's bytes from the start, following the writer; the caller closes it. */
    public InputStream open() throws IOException {
        FileChannel channel = FileChannel.open(file, StandardOpenOption.READ);
        return new InputStream() {
            private long position;

            @Override
            public int read() throws IOException {
                byte[] one = new byte[1];
                return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
            }

            @Override
            public int read(byte[] bytes, int offset, int length) throws IOException {
                if (length == 0) {
                    return 0;
                }
                long end = readableEnd(position);
                if (end < 0) {
                    return -1;
                }
                int n = channel.read(ByteBuffer.wrap(bytes, offset, (int) Math.min(length, end - position)), position);
                if (n > 0) {
                    position += n;
                }
                return n;
            }

            @Override
            public void close() throws IOException {
                channel.close();
            }
        };
    }
}
