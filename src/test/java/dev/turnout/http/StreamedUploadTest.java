package dev.turnout.http;

import dev.turnout.error.ErrorCode;
import dev.turnout.error.TurnoutException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The raw-body receiver: the request thread reads, another hashes and writes; every failure leaves no spool file. */
class StreamedUploadTest {

    @TempDir
    Path spool;

    StreamedUpload receiver;

    @BeforeEach
    void create() {
        receiver = new StreamedUpload(spool);
    }

    @AfterEach
    void stop() {
        receiver.stop();
    }

    @Test
    void theSpoolFileHoldsTheBodyAndItsSha256() throws Exception {
        byte[] body = random(3 * HashingSpoolWriter.BLOCK * HashingSpoolWriter.BLOCKS + 12_345); // blocks go round
        List<Long> written = new ArrayList<>();
        List<Path> started = new ArrayList<>();
        StreamedUpload.Received received = receiver.receive(new Trickle(body, 10_007), Long.MAX_VALUE, "limit",
                new StreamedUpload.Progress() {
                    @Override
                    public void started(Path file) {
                        started.add(file);
                    }

                    @Override
                    public void written(long total) {
                        written.add(total);
                    }
                });
        assertArrayEquals(body, Files.readAllBytes(received.file()));
        assertEquals(body.length, received.size());
        assertEquals(sha256(body), received.sha256());
        assertEquals(List.of(received.file()), started);
        assertEquals((long) body.length, written.get(written.size() - 1));
        for (int i = 1; i < written.size(); i++) {
            assertTrue(written.get(i) > written.get(i - 1), "the length only grows: " + written);
        }
    }

    @Test
    void anEmptyBody() throws Exception {
        StreamedUpload.Received received = receiver.receive(InputStream.nullInputStream(), 10, "limit");
        assertEquals(0, received.size());
        assertEquals(sha256(new byte[0]), received.sha256());
    }

    @Test
    void aBodyOverTheLimitIsRefusedAndLeavesNothing() {
        TurnoutException refused = assertThrows(TurnoutException.class, () ->
                receiver.receive(new ByteArrayInputStream(random(3_000_000)), 1_000_000, "the.limit"));
        assertEquals(ErrorCode.PAYLOAD_TOO_LARGE, refused.code());
        assertTrue(refused.getMessage().contains("the.limit"), refused.getMessage());
        assertEquals(List.of(), spooled());
    }

    @Test
    void aBodyThatBreaksOffLeavesNothing() {
        InputStream broken = new Trickle(random(1_000_000), 65_536) {
            @Override
            public int read(byte[] buffer, int offset, int length) throws IOException {
                if (position() >= 600_000) {
                    throw new IOException("connection reset");
                }
                return super.read(buffer, offset, length);
            }
        };
        IOException failure = assertThrows(IOException.class, () -> receiver.receive(broken, Long.MAX_VALUE, "limit"));
        assertEquals("connection reset", failure.getMessage());
        assertEquals(List.of(), spooled());
    }

    @Test
    void aWriterThatFailsEndsTheReceiveInsteadOfHangingIt() {
        // the body is far larger than the blocks in circulation, so the reader must notice the writer stopped
        InputStream endless = new InputStream() {
            @Override
            public int read() {
                return 0;
            }

            @Override
            public int read(byte[] buffer, int offset, int length) {
                return length;
            }
        };
        StreamedUpload.Progress failing = new StreamedUpload.Progress() {
            @Override
            public void written(long total) {
                throw new IllegalStateException("disk gone");
            }
        };
        IOException failure = assertTimeoutPreemptively(Duration.ofSeconds(20), () ->
                assertThrows(IOException.class, () -> receiver.receive(endless, Long.MAX_VALUE, "limit", failing)));
        assertTrue(String.valueOf(failure.getCause()).contains("disk gone"), String.valueOf(failure));
        assertEquals(List.of(), spooled());
    }

    private List<Path> spooled() {
        try (Stream<Path> files = Files.list(spool)) {
            return files.toList();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static byte[] random(int length) {
        byte[] bytes = new byte[length];
        new Random(length).nextBytes(bytes);
        return bytes;
    }

    private static String sha256(byte[] bytes) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    }

    /** A body that arrives at most {@code step} bytes per read, as a network body does. */
    private static class Trickle extends InputStream {
        private final byte[] bytes;
        private final int step;
        private int position;

        Trickle(byte[] bytes, int step) {
            this.bytes = bytes;
            this.step = step;
        }

        int position() {
            return position;
        }

        @Override
        public int read() {
            return position < bytes.length ? bytes[position++] & 0xff : -1;
        }

        @Override
        public int read(byte[] buffer, int offset, int length) throws IOException {
            if (position >= bytes.length) {
                return -1;
            }
            int n = Math.min(Math.min(length, step), bytes.length - position);
            System.arraycopy(bytes, position, buffer, offset, n);
            position += n;
            return n;
        }
    }
}
