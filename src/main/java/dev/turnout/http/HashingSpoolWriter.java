package dev.turnout.http;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * Hashes and writes a body's blocks to its spool file on a thread of its own, so the thread reading the body only
 * reads. The framework hands a body over one network buffer at a time, asking for the next only when the reader takes
 * one, so a reader that also hashed and wrote left the connection idle meanwhile: 1.1 GB took 3.0-3.6 s to receive
 * that way, against 0.8-1.0 s to read alone (2026-12-07, bench/README.md). A fixed set of blocks circulates between
 * the two threads, so memory stays {@value #BLOCKS} blocks of {@value #BLOCK} bytes per upload.
 */
final class HashingSpoolWriter implements AutoCloseable {

    /** Below G1's humongous-object size even on the smallest heaps' 1 MiB regions. */
    static final int BLOCK = 256 << 10;
    static final int BLOCKS = 8;

    private record Block(byte[] bytes, int length) {
    }

    private static final Block END = new Block(new byte[0], 0);
    private static final Block ABORT = new Block(new byte[0], 0);

    private final BlockingQueue<byte[]> free = new ArrayBlockingQueue<>(BLOCKS);
    private final BlockingQueue<Block> written = new LinkedBlockingQueue<>(); // holds at most BLOCKS + 1
    private final Future<String> sha256;
    private boolean ended;

    HashingSpoolWriter(FileChannel out, StreamedUpload.Progress progress, ExecutorService threads) {
        for (int i = 0; i < BLOCKS; i++) {
            free.add(new byte[BLOCK]);
        }
        this.sha256 = threads.submit(() -> drain(out, progress));
    }

    /** A block to read the next bytes into; waits while all are queued for writing. */
    byte[] nextBlock() throws IOException {
        try {
            while (true) {
                byte[] block = free.poll(100, TimeUnit.MILLISECONDS);
                if (block != null) {
                    return block;
                }
                if (sha256.isDone()) { // the writer failed: nothing takes blocks any more
                    result();
                    throw new IOException("the spool writer stopped before the body ended");
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while receiving the body");
        }
    }

    /** Queues the first {@code length} bytes of a block from {@link #nextBlock} for hashing and writing. */
    void write(byte[] block, int length) {
        written.add(new Block(block, length));
    }

    /** Every byte was handed over: waits until they are written; their sha256 (lower-case hex). */
    String finish() throws IOException {
        ended = true;
        written.add(END);
        return result();
    }

    /** Stops the writer, unless it finished, and waits for it, so the file is no longer written when this returns. */
    @Override
    public void close() throws IOException {
        if (!ended) {
            ended = true;
            written.add(ABORT);
            try {
                result();
            } catch (IOException | RuntimeException e) {
                // the body failed first; that is the failure to report
            }
        }
    }

    private String drain(FileChannel out, StreamedUpload.Progress progress)
            throws IOException, InterruptedException, NoSuchAlgorithmException {
        MessageDigest digest = MessageDigest.getInstance("SHA-256");
        long total = 0;
        for (Block block = written.take(); block != END; block = written.take()) {
            if (block == ABORT) {
                return null;
            }
            digest.update(block.bytes(), 0, block.length());
            ByteBuffer bytes = ByteBuffer.wrap(block.bytes(), 0, block.length());
            while (bytes.hasRemaining()) {
                out.write(bytes);
            }
            total += block.length();
            progress.written(total);
            free.add(block.bytes());
        }
        return HexFormat.of().formatHex(digest.digest());
    }

    private String result() throws IOException {
        boolean interrupted = false;
        try {
            while (true) {
                try {
                    return sha256.get();
                } catch (InterruptedException e) {
                    interrupted = true; // the writer must end before the caller may close or delete the file
                }
            }
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof IOException io) {
                throw io;
            }
            if (cause instanceof NoSuchAlgorithmException) {
                throw new IllegalStateException("every JVM has SHA-256", cause);
            }
            throw new IOException("could not write the spool file", cause);
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
