package dev.turnout.storage;

import io.agroal.api.AgroalDataSource;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Instant;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Random;

import static dev.turnout.TestDb.count;
import static dev.turnout.TestDb.execute;
import static dev.turnout.storage.PostgresChunkedBlobs.CHUNK;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The postgres store's bytea chunks, straight through the store: chunk boundaries, ranges, rollback, old blobs. */
@QuarkusTest
class PostgresChunkedBlobsTest {

    private static final Random RANDOM = new Random();

    @Inject
    PostgresBlobStore store;
    @Inject
    AgroalDataSource dataSource;

    @Test
    void aBlobOfSeveralChunksIsReadWholeAndInRanges() throws Exception {
        byte[] bytes = randomBytes(3 * CHUNK + 123);
        String key = put(bytes);
        long id = count(dataSource, "SELECT id FROM blob_chunked WHERE key = ?", key);
        assertEquals(4, count(dataSource, "SELECT count(*) FROM blob_chunk WHERE blob_id = ?", id));
        assertEquals(3, count(dataSource, "SELECT count(*) FROM blob_chunk WHERE blob_id = ? AND length(data) = ?",
                id, CHUNK), "every chunk but the last is full");
        assertEquals(bytes.length, count(dataSource, "SELECT size_bytes FROM blob_chunked WHERE id = ?", id));

        assertArrayEquals(bytes, read(key, ByteRange.ALL));
        assertRange(bytes, key, 0, 1); // the first byte
        assertRange(bytes, key, bytes.length - 1, 1); // the last byte
        assertRange(bytes, key, CHUNK + 10, 100); // inside one chunk
        assertRange(bytes, key, CHUNK - 5, 10); // across one boundary
        assertRange(bytes, key, CHUNK - 1, CHUNK + 2); // across two
        assertRange(bytes, key, CHUNK, CHUNK); // exactly the second chunk
        assertRange(bytes, key, 2 * CHUNK + 1, Long.MAX_VALUE); // to the end
        assertRange(bytes, key, bytes.length - 3, 100); // running past the end: the last 3 bytes
        assertArrayEquals(new byte[0], read(key, new ByteRange(bytes.length, 10)), "nothing past the end");
        assertArrayEquals(new byte[0], read(key, new ByteRange(5, 0)), "an empty range");
    }

    @Test
    void blobsOfWholeChunksAndTheEmptyBlob() throws Exception {
        byte[] two = randomBytes(2 * CHUNK);
        String key = put(two);
        assertEquals(2, count(dataSource, "SELECT count(*) FROM blob_chunk c JOIN blob_chunked b ON b.id = c.blob_id "
                + "WHERE b.key = ?", key));
        assertArrayEquals(two, read(key, ByteRange.ALL));
        assertRange(two, key, CHUNK - 1, 2);
        assertRange(two, key, 2 * CHUNK - 1, 1);

        // 32 full chunks fill a COPY message to the byte; the trailer follows in its own
        byte[] message = randomBytes(32 * CHUNK);
        assertArrayEquals(message, read(put(message), ByteRange.ALL));

        String empty = put(new byte[0]);
        assertTrue(store.exists(empty));
        assertArrayEquals(new byte[0], read(empty, ByteRange.ALL));
    }

    @Test
    void aStreamClosedEarlyGivesItsConnectionBack() throws Exception {
        byte[] bytes = randomBytes(300 * CHUNK + 5); // three COPY windows
        String key = put(bytes);
        assertRange(bytes, key, 128L * CHUNK - 3, 2L * CHUNK); // across the first window's end
        assertRange(bytes, key, 100L * CHUNK + 17, Long.MAX_VALUE);
        // More streams than the pool has connections: each close must cancel its COPY and return the connection.
        for (int i = 0; i < 30; i++) {
            try (InputStream in = store.open(key, ByteRange.ALL)) {
                assertEquals(bytes[0] & 0xff, in.read());
            }
        }
        assertArrayEquals(bytes, read(key, ByteRange.ALL));
    }

    @Test
    void aRolledBackPutLeavesNoChunk() throws Exception {
        byte[] bytes = randomBytes(5 * CHUNK + 1);
        String key = ContentAddress.of(sha256(bytes));
        Path file = file(bytes);
        long chunksBefore = count(dataSource, "SELECT count(*) FROM blob_chunk");
        // A refusal after the store write (a failed check, say): the exception rolls the transaction back
        assertThrows(IllegalStateException.class, () -> QuarkusTransaction.requiringNew().run(() -> {
            try {
                store.put(key, file);
                assertTrue(store.exists(key), "written in the transaction");
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            throw new IllegalStateException("refused");
        }));
        assertFalse(store.exists(key));
        assertEquals(0, count(dataSource, "SELECT count(*) FROM blob_chunked WHERE key = ?", key));
        assertEquals(chunksBefore, count(dataSource, "SELECT count(*) FROM blob_chunk"));
        assertThrows(NoSuchFileException.class, () -> store.open(key, ByteRange.ALL));
    }

    @Test
    void deletingABlobDeletesItsChunksAndTheSweepSeesIt() throws Exception {
        byte[] bytes = randomBytes(2 * CHUNK + 7);
        String key = put(bytes);
        long id = count(dataSource, "SELECT id FROM blob_chunked WHERE key = ?", key);
        assertTrue(store.keysWrittenBefore(Instant.now().plusSeconds(60)).contains(key));
        assertFalse(store.keysWrittenBefore(Instant.now().minusSeconds(3600)).contains(key));
        deleteInItsOwnTransaction(key);
        assertFalse(store.exists(key));
        assertEquals(0, count(dataSource, "SELECT count(*) FROM blob_chunk WHERE blob_id = ?", id));
    }

    @Test
    void aBlobWrittenAsALargeObjectStaysReadableAndIsKept() throws Exception {
        byte[] bytes = randomBytes(300_000);
        String key = ContentAddress.of(sha256(bytes));
        // As the store wrote blobs before V13 (and does with write-chunks off)
        execute(dataSource, "INSERT INTO blob_large_object (key, blob_oid) VALUES (?, lo_from_bytea(0, ?))", key, bytes);
        long oid = count(dataSource, "SELECT blob_oid FROM blob_large_object WHERE key = ?", key);

        assertTrue(store.exists(key));
        assertArrayEquals(bytes, read(key, ByteRange.ALL));
        assertRange(bytes, key, 262_143, 10);
        assertTrue(store.keysWrittenBefore(Instant.now().plusSeconds(60)).contains(key));

        put(bytes); // the same bytes again: the large object is kept, no chunks written
        assertEquals(0, count(dataSource, "SELECT count(*) FROM blob_chunked WHERE key = ?", key));

        deleteInItsOwnTransaction(key);
        assertFalse(store.exists(key));
        assertEquals(0, count(dataSource, "SELECT count(*) FROM pg_largeobject_metadata WHERE oid = ?", oid));
    }

    private void deleteInItsOwnTransaction(String key) {
        QuarkusTransaction.requiringNew().run(() -> {
            try {
                store.delete(key);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
    }

    private void assertRange(byte[] bytes, String key, long first, long length) throws IOException {
        int end = (int) Math.min(bytes.length, first + Math.min(length, bytes.length));
        assertArrayEquals(Arrays.copyOfRange(bytes, (int) first, end), read(key, new ByteRange(first, length)),
                "bytes " + first + "+" + length);
    }

    private byte[] read(String key, ByteRange range) throws IOException {
        try (InputStream in = store.open(key, range)) {
            return in.readAllBytes();
        }
    }

    /** Puts the bytes under their content address in a transaction of their own; the key. */
    private String put(byte[] bytes) throws Exception {
        String key = ContentAddress.of(sha256(bytes));
        Path file = file(bytes);
        QuarkusTransaction.requiringNew().run(() -> {
            try {
                store.put(key, file);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
        Files.delete(file);
        return key;
    }

    private static Path file(byte[] bytes) throws IOException {
        Path file = Files.createTempFile("chunked-blob", ".bin");
        Files.write(file, bytes);
        file.toFile().deleteOnExit();
        return file;
    }

    private static byte[] randomBytes(int n) {
        byte[] bytes = new byte[n];
        RANDOM.nextBytes(bytes);
        return bytes;
    }

    private static String sha256(byte[] bytes) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    }
}
