package dev.turnout.storage;

import dev.turnout.Fixtures;
import dev.turnout.PostgresBlobRows;
import dev.turnout.TestDb;
import dev.turnout.registry.ArtifactCollector;
import dev.turnout.registry.Digests;
import io.agroal.api.AgroalDataSource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import jakarta.inject.Inject;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static dev.turnout.TestFiles.awaitNoSpooledUploads;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The postgres store (the test profile's) writes a streamed upload's chunks while its body arrives, as a blob without
 * a key that the upload names when it is recorded; whatever becomes of the upload, no unnamed blob stays behind.
 * Uploads go over a raw socket, so a test controls when each part of the body arrives.
 */
@QuarkusTest
class PostgresWriteWhileArrivingTest {

    private static final String COPY_IN_PROGRESS = "SELECT count(*) FROM pg_stat_activity "
            + "WHERE query LIKE 'COPY blob_chunk %' AND state = 'active'";
    /**
     * A COPY into the chunks that PostgreSQL has received bytes of (its tuples_processed stays 0 until the COPY's
     * insert buffer is flushed, so bytes are what shows progress early).
     */
    private static final String CHUNKS_COPIED = "SELECT count(*) FROM pg_stat_progress_copy "
            + "WHERE relid = 'blob_chunk'::regclass AND bytes_processed > 0";
    /** More than two of the receiver's 256 KiB blocks: bytes reach the spool file, and the COPY, before the rest. */
    private static final int FIRST_PART = 600_000;

    @Inject
    AgroalDataSource dataSource;

    @Inject
    ArtifactCollector collector;

    long blobsBefore;

    @BeforeEach
    void recordState() throws Exception {
        blobsBefore = PostgresBlobRows.count(dataSource);
    }

    @Test
    void theChunksAreWrittenBeforeTheBodyIsComplete() throws Throwable {
        String name = Fixtures.uniqueName("arriving");
        java.nio.file.Path file = largeModel();
        byte[] model = Files.readAllBytes(file);
        long lastId = lastBlobId();
        // the first part is in: chunks of it are stored while the rest has not been sent
        uploadInTwoParts(name, model, () ->
                assertTrue(awaitCount(CHUNKS_COPIED, 1), "no chunk was copied while the body was still arriving"));
        String key = PostgresBlobRows.keyOf(dataSource, Digests.sha256(file));
        assertEquals(1, TestDb.count(dataSource, "SELECT count(*) FROM blob_chunked WHERE key = ? AND size_bytes = ?",
                key, (long) model.length));
        assertEquals(List.of(String.valueOf(lastId + 1)), TestDb.column(dataSource,
                "SELECT id::text FROM blob_chunked WHERE key = ?", key), "the blob written while arriving was named");
        assertEquals(0, unnamed(), "the staged blob was named, not left beside a second copy");
        assertEquals(blobsBefore + 1, PostgresBlobRows.count(dataSource));
        RestAssured.given().get("/api/models/{name}/versions/1/artifact", name).then().statusCode(200)
                .header("ETag", "\"" + Digests.sha256(file) + "\"");
    }

    @Test
    void aBodyThatStallsIsWrittenOnceItHasArrived() throws Throwable {
        String name = Fixtures.uniqueName("arriving-stalled");
        java.nio.file.Path file = largeModel();
        byte[] model = Files.readAllBytes(file);
        long lastId = lastBlobId();
        uploadInTwoParts(name, model, () -> {
            assertTrue(awaitCount(CHUNKS_COPIED, 1), "no chunk was copied while the body was still arriving");
            // the test profile's arrival-stall-timeout is 3s: the COPY gives up, its connection goes back
            assertTrue(awaitCount(COPY_IN_PROGRESS, 0), "the COPY of a stalled body went on");
        });
        String key = PostgresBlobRows.keyOf(dataSource, Digests.sha256(file));
        List<String> ids = TestDb.column(dataSource, "SELECT id::text FROM blob_chunked WHERE key = ?", key);
        assertEquals(1, ids.size());
        assertTrue(Long.parseLong(ids.get(0)) > lastId + 1, "written after it arrived, not the abandoned staged blob");
        assertEquals(0, unnamed());
        assertEquals(blobsBefore + 1, PostgresBlobRows.count(dataSource));
        RestAssured.given().get("/api/models/{name}/versions/1/artifact", name).then().statusCode(200)
                .header("ETag", "\"" + Digests.sha256(file) + "\"");
    }

    @Test
    void aRefusedUploadLeavesNoStagedBlob() throws Exception {
        String name = Fixtures.uniqueName("arriving-refused");
        byte[] notAModel = new byte[300_000]; // zeros: neither ONNX nor TorchScript
        try (Socket socket = open(name, notAModel.length)) {
            socket.getOutputStream().write(notAModel);
            String answer = answer(socket);
            assertTrue(answer.startsWith("HTTP/1.1 422"), answer);
        }
        assertEquals(0, unnamed());
        assertEquals(blobsBefore, PostgresBlobRows.count(dataSource));
    }

    @Test
    void aBodyThatBreaksOffLeavesNothing() throws Exception {
        String name = Fixtures.uniqueName("arriving-cut");
        byte[] model = Files.readAllBytes(largeModel());
        try (Socket socket = open(name, model.length)) {
            socket.getOutputStream().write(model, 0, FIRST_PART);
            socket.getOutputStream().flush();
            assertTrue(awaitCount(CHUNKS_COPIED, 1), "no chunk was copied while the body was still arriving");
        } // closed with part of the body sent
        assertTrue(awaitCount(COPY_IN_PROGRESS, 0), "the COPY of a body that broke off did not end");
        assertEquals(List.of(), awaitNoSpooledUploads());
        assertEquals(0, unnamed());
        assertEquals(blobsBefore, PostgresBlobRows.count(dataSource));
    }

    @Test
    void theSameBytesUploadedTwiceAtOnceMakeOneBlob() throws Exception {
        java.nio.file.Path file = largeModel();
        byte[] model = Files.readAllBytes(file);
        ExecutorService clients = Executors.newFixedThreadPool(2);
        try (Socket first = open(Fixtures.uniqueName("arriving-twice"), model.length);
             Socket second = open(Fixtures.uniqueName("arriving-twice"), model.length)) {
            for (Socket socket : List.of(first, second)) { // both staged before either is recorded
                socket.getOutputStream().write(model, 0, model.length - 1);
                socket.getOutputStream().flush();
            }
            assertTrue(awaitCount(COPY_IN_PROGRESS, 2), "the two uploads were not written while arriving together");
            List<Future<String>> answers = clients.invokeAll(List.<Callable<String>>of(
                    () -> finish(first, model), () -> finish(second, model)));
            for (Future<String> answer : answers) {
                assertTrue(answer.get().startsWith("HTTP/1.1 201"), answer.get());
            }
        } finally {
            clients.shutdownNow();
        }
        String key = PostgresBlobRows.keyOf(dataSource, Digests.sha256(file));
        assertEquals(1, TestDb.count(dataSource, "SELECT count(*) FROM blob_chunked WHERE key = ?", key));
        assertEquals(0, unnamed(), "the upload whose staged blob was not needed deleted it");
        assertEquals(blobsBefore + 1, PostgresBlobRows.count(dataSource));
    }

    @Test
    void theSweepDeletesStagedBlobsACrashLeftOnceTheyAreOld() throws Exception {
        // what a crash between the staged blob's commit and the version's leaves: a committed blob without a key
        long old = stagedRow("now() - interval '2 hours'");
        long fresh = stagedRow("now()");
        collector.sweep(Duration.ofHours(1));
        assertEquals(0, TestDb.count(dataSource, "SELECT count(*) FROM blob_chunked WHERE id = ?", old));
        assertEquals(0, TestDb.count(dataSource, "SELECT count(*) FROM blob_chunk WHERE blob_id = ?", old));
        assertEquals(1, TestDb.count(dataSource, "SELECT count(*) FROM blob_chunked WHERE id = ?", fresh),
                "a staged blob within the grace may still be named by its upload");
        TestDb.execute(dataSource, "DELETE FROM blob_chunked WHERE id = ?", fresh);
    }

    @Test
    void aKeyIsStillAContentAddress() {
        var refused = org.junit.jupiter.api.Assertions.assertThrows(java.sql.SQLException.class, () ->
                TestDb.execute(dataSource, "INSERT INTO blob_chunked (key, size_bytes) VALUES ('staging/x', 0)"));
        assertTrue(refused.getMessage().contains("blob_chunked_key_content_address"), refused.getMessage());
    }

    /**
     * A unique loadable ONNX model of ~860 KB, under the test profile's 1M upload limit: a fixture with a 600 KB field
     * appended that is no ModelProto field (100, bytes), which ONNX Runtime and the upload's protobuf walk skip.
     */
    private java.nio.file.Path largeModel() throws Exception {
        java.nio.file.Path file = Fixtures.uniqueOnnx("canary-slow.onnx").toPath();
        ByteArrayOutputStream padded = new ByteArrayOutputStream();
        padded.write(Files.readAllBytes(file));
        padded.write(new byte[] {(byte) 0xa2, 0x06}); // field 100, length-delimited
        int length = 600_000;
        for (int rest = length; ; rest >>>= 7) { // the length as a varint
            if (rest < 0x80) {
                padded.write(rest);
                break;
            }
            padded.write((rest & 0x7f) | 0x80);
        }
        padded.write(new byte[length]);
        Files.write(file, padded.toByteArray());
        return file;
    }

    private long lastBlobId() throws Exception {
        return Long.parseLong(TestDb.column(dataSource,
                "SELECT nextval(pg_get_serial_sequence('blob_chunked', 'id'))::text").get(0));
    }

    private long stagedRow(String createdAt) throws Exception {
        long id = Long.parseLong(TestDb.column(dataSource, "INSERT INTO blob_chunked (key, size_bytes, created_at) "
                + "VALUES (NULL, 3, " + createdAt + ") RETURNING id::text").get(0));
        TestDb.execute(dataSource, "INSERT INTO blob_chunk (blob_id, seq, data) VALUES (?, 0, '\\x010203'::bytea)", id);
        return id;
    }

    private long unnamed() throws Exception {
        return TestDb.count(dataSource, "SELECT count(*) FROM blob_chunked WHERE key IS NULL");
    }

    private boolean awaitCount(String sql, long expected) throws Exception {
        for (long deadline = System.nanoTime() + 10_000_000_000L; System.nanoTime() < deadline; Thread.sleep(20)) {
            if (TestDb.count(dataSource, sql) == expected) {
                return true;
            }
        }
        return false;
    }

    /** Sends the first {@value #FIRST_PART} bytes, runs {@code between}, sends the rest; the answer must be a 201. */
    private static void uploadInTwoParts(String name, byte[] model, Executable between) throws Throwable {
        try (Socket socket = open(name, model.length)) {
            OutputStream out = socket.getOutputStream();
            out.write(model, 0, FIRST_PART);
            out.flush();
            between.execute();
            out.write(model, FIRST_PART, model.length - FIRST_PART);
            out.flush();
            String answer = answer(socket);
            assertTrue(answer.startsWith("HTTP/1.1 201"), answer);
        }
    }

    /** A connection with a streamed upload's request head sent, its body still to come. */
    private static Socket open(String name, int length) throws Exception {
        Socket socket = new Socket("localhost", RestAssured.port);
        socket.setSoTimeout(30_000);
        String head = "POST /api/models/" + name + "/versions HTTP/1.1\r\nHost: localhost\r\n"
                + "Content-Type: application/octet-stream\r\nContent-Length: " + length + "\r\nConnection: close\r\n\r\n";
        socket.getOutputStream().write(head.getBytes(StandardCharsets.US_ASCII));
        return socket;
    }

    private static String finish(Socket socket, byte[] body) throws Exception {
        socket.getOutputStream().write(body, body.length - 1, 1);
        socket.getOutputStream().flush();
        return answer(socket);
    }

    private static String answer(Socket socket) throws Exception {
        ByteArrayOutputStream answer = new ByteArrayOutputStream();
        InputStream in = socket.getInputStream();
        in.transferTo(answer);
        return answer.toString(StandardCharsets.UTF_8);
    }
}
