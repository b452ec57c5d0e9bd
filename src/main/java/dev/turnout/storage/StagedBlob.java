package dev.turnout.storage;

/**
 * Bytes a store began writing while they arrived ({@link BlobStore#writeWhileArriving}). Closing it, once the upload
 * is answered, waits for that write to end and deletes what it wrote unless a {@link BlobStore#put} named it.
 */
public interface StagedBlob extends AutoCloseable {

    /** Nothing written early: put() writes the whole file. */
    StagedBlob NONE = () -> {
    };

    @Override
    void close();
}
