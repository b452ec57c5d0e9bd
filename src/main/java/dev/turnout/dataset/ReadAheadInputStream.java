package dev.turnout.dataset;

import java.io.IOException;
import java.io.InputStream;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;

/**
 * A store's stream read ahead by a thread of its own, for a pass over a whole dataset: while the reader parses one
 * chunk, the next ones are fetched (a round trip to PostgreSQL per chunk, a file read, an S3 GET), so fetching and
 * parsing overlap instead of taking turns. At most {@code depth} chunks are held. A failure of the store reaches the
 * reader at the read that would have met it. Closing stops the thread, then closes the store's stream, from the
 * closing thread (the stream is never used by two threads at once).
 */
final class ReadAheadInputStream extends InputStream {

    private static final Chunk END = new Chunk(new byte[0], -1, null);

    private record Chunk(byte[] bytes, int length, Exception failure) {
    }

    private final InputStream in;
    private final BlockingQueue<Chunk> filled;
    private final BlockingQueue<byte[]> free;
    private final Thread thread;
    private volatile boolean closed;
    private Chunk current;
    private int position;

    ReadAheadInputStream(InputStream in, int chunkSize, int depth) {
        this.in = in;
        this.filled = new ArrayBlockingQueue<>(depth + 1);
        this.free = new ArrayBlockingQueue<>(depth);
        for (int i = 0; i < depth; i++) {
            free.add(new byte[chunkSize]);
        }
        this.thread = new Thread(this::fetch, "turnout-dataset-read-ahead");
        thread.setDaemon(true);
        thread.start();
    }

    /**
     * The fetching thread: fills free chunks until the end, a failure, or close. A chunk is handed over full (or at
     * the end, or before a failure), whatever the store answers per read: the postgres store's chunked blobs answer
     * one 8 KB row at a time, and a hand-over per row left the reader waiting on this thread thousands of times per
     * dataset with only two rows read ahead.
     */
    private void fetch() {
        try {
            while (!closed) {
                byte[] chunk = free.take();
                int length = 0;
                int n = 0;
                try {
                    while (length < chunk.length && (n = in.read(chunk, length, chunk.length - length)) >= 0) {
                        length += n;
                    }
                } catch (IOException | RuntimeException e) {
                    if (length > 0) {
                        filled.put(new Chunk(chunk, length, null)); // the bytes before the failure come first
                    }
                    throw e;
                }
                if (length > 0) {
                    filled.put(new Chunk(chunk, length, null));
                }
                if (n < 0) {
                    filled.put(END);
                    return;
                }
            }
        } catch (InterruptedException e) {
            // closed while waiting for a free chunk: nothing more to read
        } catch (IOException | RuntimeException e) {
            filled.add(new Chunk(null, -1, e)); // never blocks: the queue has room for one more than the chunks
        }
    }

    @Override
    public int read() throws IOException {
        byte[] one = new byte[1];
        return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] buffer, int offset, int length) throws IOException {
        if (length == 0) {
            return 0;
        }
        if (current == null || position == current.length) {
            if (current != null && current != END) {
                free.add(current.bytes);
            }
            current = next();
            position = 0;
        }
        if (current.failure != null) {
            Exception failure = current.failure;
            if (failure instanceof IOException io) {
                throw new IOException(io.getMessage(), io);
            }
            throw (RuntimeException) failure;
        }
        if (current == END) {
            return -1;
        }
        int n = Math.min(length, current.length - position);
        System.arraycopy(current.bytes, position, buffer, offset, n);
        position += n;
        return n;
    }

    /**
     * The next chunk, waiting for it without giving up on an interrupt (the chunk is at most one fetch away); the
     * interrupt stays set for the caller's next blocking call, as it would without read-ahead.
     */
    private Chunk next() {
        if (current == END) {
            return END;
        }
        boolean interrupted = false;
        try {
            while (true) {
                try {
                    return filled.take();
                } catch (InterruptedException e) {
                    interrupted = true;
                }
            }
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    @Override
    public void close() throws IOException {
        if (closed) {
            return;
        }
        closed = true;
        thread.interrupt();
        boolean interrupted = false;
        while (thread.isAlive()) {
            try {
                thread.join();
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
        in.close();
    }
}
