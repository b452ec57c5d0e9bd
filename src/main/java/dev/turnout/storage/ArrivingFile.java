package dev.turnout.storage;

import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * A file one thread is still writing (an upload arriving into its spool) that others may already read: every byte
 * below {@link #grew the length it reported} is final. The writer ends it with {@link #complete} or, on any failure,
 * {@link #close}, which tells readers the bytes will never be whole.
 */
public final class ArrivingFile implements AutoCloseable {

    private enum State { ARRIVING, COMPLETE, ABANDONED }

    private final Path file;
    private long length;
    private State state = State.ARRIVING;

    public ArrivingFile(Path file) {
        this.file = file;
    }

    public Path file() {
        return file;
    }

    /** The writer has written {@code total} bytes so far. */
    public synchronized void grew(long total) {
        length = total;
        notifyAll();
    }

    /** Every byte is in: the file is {@code total} bytes long. */
    public synchronized void complete(long total) {
        if (state == State.ARRIVING) {
            length = total;
            state = State.COMPLETE;
            notifyAll();
        }
    }

    /** Abandons the file unless it was completed: readers fail instead of waiting for bytes that will not come. */
    @Override
    public synchronized void close() {
        if (state == State.ARRIVING) {
            state = State.ABANDONED;
            notifyAll();
        }
    }

    /**
     * The bytes as they arrive: a read waits for the writer, ends once the file is complete, and fails once it was
     * abandoned or no byte came for {@code stall}. The stream holds the file open, so it reads on if the writer
     * deletes the file after completing it.
     */
    public InputStream open(Duration stall) throws IOException {
        return new Reader(FileChannel.open(file, StandardOpenOption.READ), stall.toNanos());
    }

    /** Waits until the first bytes are in or there will be none; whether there are any. */
    public synchronized boolean awaitFirstBytes() throws InterruptedException {
        while (length == 0 && state == State.ARRIVING) {
            wait();
        }
        return length > 0 && state != State.ABANDONED;
    }

    /**
     * Waits until there are bytes past {@code position} or there will be none, at most {@code stall} without a new
     * byte; the length then, -1 at the end.
     */
    private synchronized long awaitPast(long position, long stall) throws IOException {
        long deadline = System.nanoTime() + stall;
        while (length <= position && state == State.ARRIVING) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                throw new IOException("the upload stalled: no byte for " + Duration.ofNanos(stall));
            }
            try {
                TimeUnit.NANOSECONDS.timedWait(this, left);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new InterruptedIOException("interrupted while waiting for the upload's bytes");
            }
        }
        if (state == State.ABANDONED) {
            throw new IOException("the upload ended before its last byte arrived");
        }
        return length > position ? length : -1;
    }

    private final class Reader extends InputStream {
        private final FileChannel channel;
        private final long stall;
        private long position;

        Reader(FileChannel channel, long stall) {
            this.channel = channel;
            this.stall = stall;
        }

        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] buffer, int offset, int count) throws IOException {
            if (count == 0) {
                return 0;
            }
            long available = awaitPast(position, stall);
            if (available < 0) {
                return -1;
            }
            ByteBuffer target = ByteBuffer.wrap(buffer, offset, (int) Math.min(count, available - position));
            int n = channel.read(target, position);
            if (n < 0) {
                throw new IOException("the spooled upload is shorter than the " + available + " bytes written to it");
            }
            position += n;
            return n;
        }

        @Override
        public void close() throws IOException {
            channel.close();
        }
    }
}
