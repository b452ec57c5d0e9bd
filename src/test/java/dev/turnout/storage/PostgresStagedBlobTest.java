package dev.turnout.storage;

import io.agroal.api.AgroalDataSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.lang.reflect.Proxy;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

/**
 * A write while the upload arrives that fails in ways no database test reaches (no thread for it, an Error) still
 * lets the upload go on: nothing waits for it forever. The database is a stand-in that fails when asked for a
 * connection (PostgresWriteWhileArrivingTest covers the real one).
 */
class PostgresStagedBlobTest {

    @TempDir
    Path dir;

    @Test
    void anErrorWhileWritingEndsTheWaitForTheWrite() throws Exception {
        ArrivingFile arriving = arrived();
        PostgresStagedBlob blob = new PostgresStagedBlob(failingDataSource(new AssertionError("no connection")),
                arriving, Duration.ofSeconds(10), () -> { });
        assertThrows(AssertionError.class, blob::write); // an Error is not swallowed, and not left unanswered
        assertEquals(Optional.empty(), assertTimeoutPreemptively(Duration.ofSeconds(5), blob::awaitWritten));
    }

    @Test
    void withNoThreadToWriteWithTheUploadIsWrittenAfterItArrives() throws Exception {
        PostgresBlobStore store = new PostgresBlobStore(failingDataSource(new AssertionError("unused")), config());
        store.stop(); // its threads are gone: a shutting-down server
        for (int i = 0; i < PostgresBlobStore.STAGED_AT_ONCE + 1; i++) { // and no slot is lost to a refused thread
            ArrivingFile arriving = arrived();
            assertSame(StagedBlob.NONE, assertTimeoutPreemptively(Duration.ofSeconds(5),
                    () -> store.writeWhileArriving(arriving)));
        }
    }

    @Test
    void closingAWriteThatNeverStartedReleasesItsSlot() throws Exception {
        AtomicInteger released = new AtomicInteger();
        PostgresStagedBlob blob = new PostgresStagedBlob(failingDataSource(new AssertionError("unused")), arrived(),
                Duration.ofSeconds(10), released::incrementAndGet);
        blob.notStarted();
        assertTimeoutPreemptively(Duration.ofSeconds(5), blob::close);
        blob.close();
        assertEquals(1, released.get());
    }

    private ArrivingFile arrived() throws Exception {
        Path file = Files.createTempFile(dir, "arrived-", ".bin");
        Files.write(file, new byte[] {1, 2, 3});
        ArrivingFile arriving = new ArrivingFile(file);
        arriving.complete(3);
        return arriving;
    }

    private static AgroalDataSource failingDataSource(Error failure) {
        return (AgroalDataSource) Proxy.newProxyInstance(PostgresStagedBlobTest.class.getClassLoader(),
                new Class<?>[] {AgroalDataSource.class}, (proxy, method, args) -> {
                    if (method.getName().equals("getConnection")) {
                        throw failure;
                    }
                    throw new UnsupportedOperationException(method.getName());
                });
    }

    private static StorageConfig config() {
        StorageConfig.Postgres postgres = (StorageConfig.Postgres) Proxy.newProxyInstance(
                PostgresStagedBlobTest.class.getClassLoader(), new Class<?>[] {StorageConfig.Postgres.class},
                (proxy, method, args) -> switch (method.getName()) {
                    case "writeChunks" -> true;
                    case "arrivalStallTimeout" -> Duration.ofSeconds(10);
                    default -> throw new UnsupportedOperationException(method.getName());
                });
        return (StorageConfig) Proxy.newProxyInstance(PostgresStagedBlobTest.class.getClassLoader(),
                new Class<?>[] {StorageConfig.class}, (proxy, method, args) -> {
                    if (method.getName().equals("postgres")) {
                        return postgres;
                    }
                    throw new UnsupportedOperationException(method.getName());
                });
    }
}
