package dev.turnout.storage;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;

/**
 * Immutable blobs under content addresses ({@link ContentAddress}). A key, once written, always holds the same bytes,
 * so writing it again is harmless and readers never see a partial object: each store makes a blob visible under its
 * key only when it is whole. Blobs are streamed in and out, never held whole in memory.
 */
public interface BlobStore {

    StoreKind kind();

    /**
     * Stores the file's bytes under the key, which must be their content address; a key already present is kept
     * (and counts as written now, so a sweep of old unreferenced blobs spares it). A transactional store joins the
     * caller's transaction.
     */
    void put(String key, Path file) throws IOException;

    /**
     * Lets the store start writing a file's bytes while they are still arriving, before their content address is
     * known; a later {@link #put} of the same file then only names what was written. Closing the returned blob
     * discards whatever no put() named. By default a store writes nothing early.
     */
    default StagedBlob writeWhileArriving(ArrivingFile arriving) {
        return StagedBlob.NONE;
    }

    /** The blob's bytes, or those of {@code range}; the caller closes the stream. Missing key: {@link java.nio.file.NoSuchFileException}. */
    InputStream open(String key, ByteRange range) throws IOException;

    default InputStream open(String key) throws IOException {
        return open(key, ByteRange.ALL);
    }

    /**
     * Copies the blob into {@code target} (created, or emptied first). A store may fetch ranges of a large blob in
     * parallel; by default it streams the blob once.
     */
    default void download(String key, Path target) throws IOException {
        try (InputStream in = open(key); java.io.OutputStream out = java.nio.file.Files.newOutputStream(target)) {
            in.transferTo(out);
        }
    }

    /** Removes the blob if present. */
    void delete(String key) throws IOException;

    boolean exists(String key) throws IOException;

    /**
     * Keys of the blobs written before {@code cutoff}, for sweeping those no record references; a store may also
     * remove its own leftovers of interrupted writes older than the cutoff here.
     */
    List<String> keysWrittenBefore(Instant cutoff) throws IOException;
}
