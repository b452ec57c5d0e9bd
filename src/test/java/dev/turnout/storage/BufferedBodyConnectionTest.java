package dev.turnout.storage;

import com.sun.net.httpserver.HttpServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.io.OutputStream;
import java.net.HttpURLConnection;
import java.net.InetSocketAddress;
import java.net.URI;
import java.util.Random;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The connection the s3 store's SDK client sends through: a body written the way the SDK writes one (4 KiB at a time,
 * its stream never closed before the response is read) reaches the server whole, across and below the block size.
 */
class BufferedBodyConnectionTest {

    private final AtomicReference<byte[]> received = new AtomicReference<>();
    private HttpServer server;

    @AfterEach
    void stop() {
        if (server != null) {
            server.stop(0);
        }
    }

    @Test
    void aFixedLengthBodyArrivesWholeWhenTheResponseIsRead() throws Exception {
        URI uri = start(200);
        for (int size : new int[] {0, 1, 4096, BufferedBodyConnection.BLOCK - 1, BufferedBodyConnection.BLOCK,
                3 * BufferedBodyConnection.BLOCK + 12_345}) {
            byte[] body = new byte[size];
            new Random(size).nextBytes(body);
            HttpURLConnection connection = put(uri, body);
            assertEquals(200, connection.getResponseCode(), "a body of " + size + " bytes");
            assertArrayEquals(body, received.get(), "a body of " + size + " bytes");
            assertEquals("yes", connection.getHeaderField("X-Seen"));
            connection.disconnect();
        }
    }

    @Test
    void anErrorAnswerIsReadAfterTheWholeBody() throws Exception {
        URI uri = start(403);
        byte[] body = new byte[BufferedBodyConnection.BLOCK + 7];
        new Random(7).nextBytes(body);
        HttpURLConnection connection = put(uri, body);
        assertEquals(403, connection.getResponseCode());
        assertEquals("refused", new String(connection.getErrorStream().readAllBytes()));
        assertArrayEquals(body, received.get());
    }

    private URI start(int status) throws Exception {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/", exchange -> {
            received.set(exchange.getRequestBody().readAllBytes());
            byte[] answer = status == 200 ? new byte[0] : "refused".getBytes();
            exchange.getResponseHeaders().add("X-Seen", "yes");
            exchange.sendResponseHeaders(status, answer.length == 0 ? -1 : answer.length);
            exchange.getResponseBody().write(answer);
            exchange.close();
        });
        server.start();
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/bucket/key");
    }

    /** Writes {@code body} as the AWS SDK's URL-connection client does: 4 KiB at a time, leaving the stream open. */
    private static HttpURLConnection put(URI uri, byte[] body) throws Exception {
        HttpURLConnection connection = BufferedBodyConnection.open(uri);
        connection.setRequestMethod("PUT");
        connection.setDoOutput(true);
        connection.setFixedLengthStreamingMode((long) body.length);
        OutputStream out = connection.getOutputStream();
        for (int from = 0; from < body.length; from += 4096) {
            out.write(body, from, Math.min(4096, body.length - from));
        }
        return connection;
    }
}
