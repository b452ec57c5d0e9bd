package dev.turnout.registry.rest;

import dev.turnout.http.StreamedUpload;
import dev.turnout.storage.ArrivingFile;
import dev.turnout.storage.StagedBlob;

import java.nio.file.Path;
import java.util.function.Function;

/**
 * Hands a streamed body to the store while it arrives ({@link dev.turnout.storage.BlobStore#writeWhileArriving}), so
 * the store write overlaps the receive. Closed once the upload is answered: a blob no put() named is deleted then.
 */
final class StoreWhileReceiving implements StreamedUpload.Progress, AutoCloseable {

    private final Function<ArrivingFile, StagedBlob> store;
    private ArrivingFile arriving;
    private StagedBlob staged = StagedBlob.NONE;

    StoreWhileReceiving(Function<ArrivingFile, StagedBlob> store) {
        this.store = store;
    }

    @Override
    public void started(Path file) {
        arriving = new ArrivingFile(file);
        staged = store.apply(arriving);
    }

    @Override
    public void written(long total) {
        arriving.grew(total);
    }

    /** Every byte arrived: the file is {@code size} bytes. */
    void received(long size) {
        arriving.complete(size);
    }

    @Override
    public void close() {
        if (arriving != null) {
            arriving.close(); // a receive that failed: the store stops waiting for bytes
        }
        staged.close();
    }
}
