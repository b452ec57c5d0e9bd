package dev.turnout.storage;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class FilesystemBlobStoreTest {

    @TempDir
    Path root;
    @TempDir
    Path spool;

    static final String KEY = ContentAddress.of("ab" + "0".repeat(62));

    Path file(byte[] bytes) throws Exception {
        return Files.write(Files.createTempFile(spool, "upload", ""), bytes);
    }

    @Test
    void storesUnderTheContentAddressAndReadsWholeOrARange() throws Exception {
        FilesystemBlobStore store = new FilesystemBlobStore(root);
        store.put(KEY, file("0123456789".getBytes()));

        assertTrue(Files.isRegularFile(root.resolve("sha256/ab/ab" + "0".repeat(62))));
        assertTrue(store.exists(KEY));
        try (InputStream in = store.open(KEY)) {
            assertArrayEquals("0123456789".getBytes(), in.readAllBytes());
        }
        try (InputStream in = store.open(KEY, new ByteRange(3, 4))) {
            assertArrayEquals("3456".getBytes(), in.readAllBytes());
        }
        try (InputStream in = store.open(KEY, new ByteRange(8, 100))) {
            assertArrayEquals("89".getBytes(), in.readAllBytes());
        }
        store.delete(KEY);
        assertFalse(store.exists(KEY));
        assertThrows(NoSuchFileException.class, () -> store.open(KEY));
    }

    @Test
    void refusesKeysThatAreNotContentAddresses() throws Exception {
        FilesystemBlobStore store = new FilesystemBlobStore(root);
        Path file = file(new byte[] {1});
        for (String key : List.of("../etc/passwd", "sha256/ab/../../x", "sha256/cd/ab" + "0".repeat(62), "ab")) {
            assertThrows(IllegalArgumentException.class, () -> store.put(key, file), key);
        }
    }

    @Test
    void writingAKeyAgainKeepsItAndMakesItFresh() throws Exception {
        FilesystemBlobStore store = new FilesystemBlobStore(root);
        store.put(KEY, file("same".getBytes()));
        Path blob = root.resolve(KEY);
        Files.setLastModifiedTime(blob, FileTime.from(Instant.now().minusSeconds(7200)));
        assertEquals(List.of(KEY), store.keysWrittenBefore(Instant.now().minusSeconds(3600)));

        store.put(KEY, file("same".getBytes()));
        assertEquals(List.of(), store.keysWrittenBefore(Instant.now().minusSeconds(3600)), "the sweep spares it now");
        assertArrayEquals("same".getBytes(), Files.readAllBytes(blob));
    }

    @Test
    void theSweepListsOldBlobsAndRemovesPartialWritesACrashLeft() throws Exception {
        FilesystemBlobStore store = new FilesystemBlobStore(root);
        store.put(KEY, file("x".getBytes()));
        Path partial = Files.writeString(root.resolve("sha256/ab/" + FilesystemBlobStore.TEMPORARY_PREFIX + "dead"), "half");
        Path fresh = Files.writeString(root.resolve("sha256/ab/" + FilesystemBlobStore.TEMPORARY_PREFIX + "live"), "being");
        Files.setLastModifiedTime(partial, FileTime.from(Instant.now().minusSeconds(7200)));
        Files.setLastModifiedTime(root.resolve(KEY), FileTime.from(Instant.now().minusSeconds(7200)));

        assertEquals(List.of(KEY), store.keysWrittenBefore(Instant.now().minusSeconds(3600)));
        assertFalse(Files.exists(partial), "an old partial write is removed");
        assertTrue(Files.exists(fresh), "a write that may still run is not");
        assertTrue(store.exists(KEY), "listing deletes no blob");
    }

    @Test
    void concurrentPutsOfTheSameBytesLeaveOneWholeBlobAndNoTemporaries() throws Exception {
        FilesystemBlobStore store = new FilesystemBlobStore(root);
        byte[] bytes = new byte[4 << 20];
        new java.util.Random(1).nextBytes(bytes);
        Path file = file(bytes);
        List<Thread> threads = Stream.generate(() -> new Thread(() -> {
            try {
                store.put(KEY, file);
            } catch (Exception e) {
                throw new RuntimeException(e);
            }
        })).limit(8).toList();
        threads.forEach(Thread::start);
        for (Thread thread : threads) {
            thread.join();
        }
        assertArrayEquals(bytes, Files.readAllBytes(root.resolve(KEY)));
        try (Stream<Path> files = Files.list(root.resolve("sha256/ab"))) {
            assertEquals(1, files.count());
        }
    }
}
