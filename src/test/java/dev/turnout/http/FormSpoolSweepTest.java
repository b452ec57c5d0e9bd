package dev.turnout.http;

import dev.turnout.Fixtures;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.List;

import static dev.turnout.TestFiles.awaitNoSpooledUploads;
import static dev.turnout.TestFiles.spooledUploads;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The multipart parser of the framework spools each file part to {@code quarkus.http.body.uploads-directory} and
 * deletes it when the request ends, but not always: a CI run (bb564ea, 04:07 UTC) found a 0-byte
 * {@code resteasy-reactive…upload} left there by an earlier request, so every later "nothing left behind" check
 * failed. The server sweeps what no request in flight can own, and never a part of an upload still arriving.
 */
@QuarkusTest
class FormSpoolSweepTest {

    /** %test quarkus.http.body.uploads-directory */
    private static final Path SPOOL = Path.of("target/test-data/uploads");

    @TestHTTPResource("/")
    URI base;

    @Test
    void aPartFileNoRequestOwnsIsDeleted() throws Exception {
        Files.createDirectories(SPOOL);
        Path orphan = SPOOL.resolve("resteasy-reactive4242424242upload");
        Files.write(orphan, new byte[0]);
        Files.setLastModifiedTime(orphan, FileTime.from(Instant.now().minusSeconds(10)));
        assertEquals(List.of(), awaitNoSpooledUploads(), "the framework's orphaned part file is swept");
    }

    @Test
    void anUploadTheHttpLayerCutsOffDoesNotStopTheSweeps() throws Exception {
        // over the upload limit and chunked: the HTTP layer answers 413 itself and closes the connection, and the
        // request's end handlers never ran, so it counted as in flight for good and no sweep ever ran again
        byte[] head = ("--big\r\nContent-Disposition: form-data; name=\"artifact\"; filename=\"big.onnx\"\r\n"
                + "Content-Type: application/octet-stream\r\n\r\n").getBytes(StandardCharsets.US_ASCII);
        try (Socket socket = new Socket(base.getHost(), base.getPort())) {
            socket.setSoTimeout(30_000);
            OutputStream out = socket.getOutputStream();
            out.write(("POST /api/models/cut-off/versions HTTP/1.1\r\nHost: localhost\r\n"
                    + "Content-Type: multipart/form-data; boundary=big\r\nTransfer-Encoding: chunked\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            chunk(out, head);
            try {
                for (int i = 0; i < 20; i++) { // 1.25 MB, over the test profile's 1M upload limit
                    chunk(out, new byte[64 * 1024]);
                }
                out.write("0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
                out.flush();
                String answer = read(socket.getInputStream());
                assertTrue(answer.isEmpty() || answer.startsWith("HTTP/1.1 413"), answer);
            } catch (java.io.IOException cutOff) {
                // the server closed the connection while the body was still being sent: also the refusal
            }
        }
        aPartFileNoRequestOwnsIsDeleted();
    }

    @Test
    void thePartFileOfAnUploadStillArrivingIsKept() throws Exception {
        byte[] artifact = Files.readAllBytes(Fixtures.uniqueOnnx("linear-v2.onnx").toPath());
        String name = Fixtures.uniqueName("slow-upload");
        byte[] head = ("--slow\r\nContent-Disposition: form-data; name=\"artifact\"; filename=\"m.onnx\"\r\n"
                + "Content-Type: application/octet-stream\r\n\r\n").getBytes(StandardCharsets.US_ASCII);
        byte[] tail = "\r\n--slow--\r\n".getBytes(StandardCharsets.US_ASCII);
        try (Socket socket = new Socket(base.getHost(), base.getPort())) {
            socket.setSoTimeout(30_000);
            OutputStream out = socket.getOutputStream();
            out.write(("POST /api/models/" + name + "/versions HTTP/1.1\r\nHost: localhost\r\n"
                    + "Content-Type: multipart/form-data; boundary=slow\r\nTransfer-Encoding: chunked\r\n"
                    + "Connection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            chunk(out, head);
            chunk(out, java.util.Arrays.copyOf(artifact, 10));
            out.flush();
            // several sweeps (1 s apart in the test profile) pass while the client holds the upload open
            Thread.sleep(3_500);
            List<String> spooled = spooledUploads();
            assertTrue(spooled.stream().anyMatch(f -> f.startsWith("resteasy-reactive")),
                    "the part being received is still spooled: " + spooled);
            chunk(out, java.util.Arrays.copyOfRange(artifact, 10, artifact.length));
            chunk(out, tail);
            out.write("0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            out.flush();
            String answer = read(socket.getInputStream());
            assertTrue(answer.startsWith("HTTP/1.1 201"), "the slow upload is registered: " + answer);
        }
        assertEquals(List.of(), awaitNoSpooledUploads(), "nothing is left once it is done");
        assertFalse(Files.list(SPOOL).findAny().isPresent());
    }

    private static void chunk(OutputStream out, byte[] bytes) throws Exception {
        out.write((Integer.toHexString(bytes.length) + "\r\n").getBytes(StandardCharsets.US_ASCII));
        out.write(bytes);
        out.write("\r\n".getBytes(StandardCharsets.US_ASCII));
    }

    private static String read(InputStream in) throws Exception {
        ByteArrayOutputStream response = new ByteArrayOutputStream();
        in.transferTo(response);
        return response.toString(StandardCharsets.ISO_8859_1);
    }
}
