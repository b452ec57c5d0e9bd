package dev.turnout.dataset;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.Arrays;
import java.util.Random;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ReadAheadInputStreamTest {

    @Test
    void theBytesAreTheStoresInOrder() throws IOException {
        byte[] data = new byte[300_007];
        new Random(11).nextBytes(data);
        for (int chunk : new int[] {1, 4096, 256 << 10, 2 << 20}) {
            try (InputStream in = new ReadAheadInputStream(new ByteArrayInputStream(data), chunk, 2)) {
                assertArrayEquals(data, in.readAllBytes(), "chunks of " + chunk);
                assertEquals(-1, in.read());
            }
        }
    }

    @Test
    void aStoreThatAnswersAFewBytesAtATimeIsHandedOverInFullChunks() throws IOException {
        // the postgres store's chunked blobs answer one 8,120-byte row per read: a hand-over per row made the reader
        // wait on the fetching thread thousands of times per dataset
        byte[] data = new byte[1 << 20];
        new Random(12).nextBytes(data);
        int chunk = 256 << 10;
        InputStream rowAtATime = new ByteArrayInputStream(data) {
            @Override
            public synchronized int read(byte[] buffer, int offset, int length) {
                return super.read(buffer, offset, Math.min(length, 8120));
            }
        };
        try (InputStream in = new ReadAheadInputStream(rowAtATime, chunk, 2)) {
            byte[] buffer = new byte[chunk];
            for (int i = 0; i < data.length / chunk; i++) {
                assertEquals(chunk, in.read(buffer, 0, chunk), "read " + i);
                assertArrayEquals(Arrays.copyOfRange(data, i * chunk, (i + 1) * chunk), buffer);
            }
            assertEquals(-1, in.read(buffer, 0, chunk));
        }
    }

    @Test
    void aFailureOfTheStoreReachesTheReaderAfterTheBytesBeforeIt() throws IOException {
        InputStream failing = new InputStream() {
            private int left = 10;

            @Override
            public int read() throws IOException {
                if (left-- > 0) {
                    return 'x';
                }
                throw new IOException("the store went away");
            }
        };
        try (InputStream in = new ReadAheadInputStream(failing, 4, 2)) {
            byte[] buffer = new byte[4];
            int read = 0;
            IOException e = null;
            try {
                for (int n; (n = in.read(buffer, 0, 4)) > 0; ) {
                    read += n;
                }
            } catch (IOException failure) {
                e = failure;
            }
            assertEquals(10, read);
            assertEquals("the store went away", e == null ? null : e.getMessage());
            assertThrows(IOException.class, () -> in.read(buffer, 0, 4));
        }
    }

    @Test
    void closingBeforeTheEndStopsTheThreadAndClosesTheStoresStream() throws IOException {
        AtomicBoolean closed = new AtomicBoolean();
        AtomicReference<Thread> fetcher = new AtomicReference<>();
        InputStream endless = new InputStream() {
            @Override
            public int read() {
                fetcher.set(Thread.currentThread());
                return 'y';
            }

            @Override
            public void close() {
                closed.set(true);
            }
        };
        ReadAheadInputStream in = new ReadAheadInputStream(endless, 1024, 2);
        assertEquals('y', in.read());
        in.close();
        assertTrue(closed.get());
        assertFalse(fetcher.get().isAlive());
    }

    @Test
    void anInterruptWhileWaitingIsKeptForTheCallersNextBlockingCall() throws Exception {
        try (InputStream in = new ReadAheadInputStream(new ByteArrayInputStream(new byte[100]), 10, 2)) {
            Thread.currentThread().interrupt();
            assertEquals(100, in.readAllBytes().length);
            assertTrue(Thread.interrupted()); // still set (and cleared here)
        }
    }
}
