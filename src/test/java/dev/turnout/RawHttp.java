package dev.turnout;

import io.restassured.RestAssured;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Requests written byte by byte on a socket to the test server, for what an HTTP client library will not send: a body
 * that never ends, so only an answer the server gives from the headers alone can arrive.
 */
public final class RawHttp {

    private RawHttp() {
    }

    /** A connection to the test server whose reads give up after 10 s. */
    public static Socket open() throws IOException {
        URI base = URI.create(RestAssured.baseURI + ":" + RestAssured.port);
        Socket socket = new Socket(base.getHost(), base.getPort());
        socket.setSoTimeout(10_000);
        return socket;
    }

    public static void send(Socket socket, String text) throws IOException {
        OutputStream out = socket.getOutputStream();
        out.write(text.getBytes(StandardCharsets.ISO_8859_1));
        out.flush();
    }

    /** The status line, headers and as much body as arrives; fails if no answer comes while the body is unfinished. */
    public static String readAnswer(Socket socket) throws IOException {
        InputStream in = socket.getInputStream();
        StringBuilder answer = new StringBuilder();
        byte[] buffer = new byte[8192];
        try {
            for (int n = in.read(buffer); n > 0; n = in.read(buffer)) {
                answer.append(new String(buffer, 0, n, StandardCharsets.ISO_8859_1));
                if (answer.indexOf("\r\n\r\n") > 0 && answer.indexOf("}") > 0) {
                    break;
                }
            }
        } catch (SocketTimeoutException e) {
            assertEquals("an answer before the body ends", "none within 10 s: the server waits for the whole body ("
                    + answer + ")");
        }
        return answer.toString();
    }
}
