package dev.turnout.http;

import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.SequenceInputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * An upload over the limit with no Content-Length (chunked) is cut off by the HTTP layer, which answers 413 itself;
 * the refusal must not then be answered a second time (an ERROR "Response has already been written" in the log).
 */
@QuarkusTest
class OversizedChunkedUploadTest {

    @TestHTTPResource("/api/models/chunked-too-big/versions")
    URI uploads;

    @Test
    void theHttpLayersOwn413IsTheOnlyAnswer() throws Exception {
        List<LogRecord> alarms = new CopyOnWriteArrayList<>();
        Handler capture = new Handler() {
            @Override
            public void publish(LogRecord record) {
                if (record.getLevel().intValue() >= Level.WARNING.intValue()) {
                    alarms.add(record);
                }
            }

            @Override
            public void flush() {
            }

            @Override
            public void close() {
            }
        };
        Logger root = Logger.getLogger("");
        root.addHandler(capture);
        try {
            byte[] head = ("--big\r\nContent-Disposition: form-data; name=\"artifact\"; filename=\"big.onnx\"\r\n"
                    + "Content-Type: application/octet-stream\r\n\r\n").getBytes();
            byte[] artifact = new byte[1_200_000]; // over the test profile's 1M upload limit
            byte[] tail = "\r\n--big--\r\n".getBytes();
            HttpRequest request = HttpRequest.newBuilder(uploads)
                    .header("Content-Type", "multipart/form-data; boundary=big")
                    .POST(HttpRequest.BodyPublishers.ofInputStream(() -> new SequenceInputStream(
                            java.util.Collections.enumeration(List.of(new ByteArrayInputStream(head),
                                    new ByteArrayInputStream(artifact), new ByteArrayInputStream(tail))))))
                    .build(); // a stream of unknown length: sent chunked
            try {
                HttpResponse<String> response = HttpClient.newHttpClient().send(request,
                        HttpResponse.BodyHandlers.ofString());
                assertEquals(413, response.statusCode());
            } catch (IOException cutOff) {
                // the server closed the connection while the body was still being sent: also a refusal
            }
            Thread.sleep(1000); // the second answer, if any, is attempted on a worker thread after the first
        } finally {
            root.removeHandler(capture);
        }
        List<String> messages = alarms.stream().map(record -> record.getLoggerName() + ": " + record.getMessage()
                + (record.getThrown() == null ? "" : " " + record.getThrown())).toList();
        assertTrue(messages.isEmpty(), () -> "warnings or errors logged: " + messages);
    }
}
