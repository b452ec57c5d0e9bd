package dev.turnout.storage;

import com.sun.net.httpserver.HttpServer;
import io.quarkus.runtime.configuration.MemorySize;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.math.BigInteger;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

/**
 * The s3 store sends an object's bytes as a plain body. The AWS SDK's default for PUTs over plain HTTP is
 * {@code aws-chunked} framing (chunk signatures between the bytes), which not every S3-compatible service decodes:
 * npm s3rver stored the framing as the object. An HTTP peer here records what arrives on the wire.
 */
class S3PlainBodyTest {

    private final Map<String, byte[]> bodies = new ConcurrentHashMap<>();
    private final Map<String, String> encodings = new ConcurrentHashMap<>();
    private final Map<String, String> payloadHashes = new ConcurrentHashMap<>();
    private final Map<String, String> queries = new ConcurrentHashMap<>();
    private HttpServer server;

    @AfterEach
    void stop() {
        if (server != null) {
            server.stop(0);
        }
    }

    @Test
    void anObjectArrivesAsItsBytesWithoutChunkFraming() throws Exception {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/", exchange -> {
            String path = exchange.getRequestURI().getPath();
            if (exchange.getRequestMethod().equals("PUT")) {
                bodies.put(path, exchange.getRequestBody().readAllBytes());
                String encoding = exchange.getRequestHeaders().getFirst("Content-Encoding");
                if (encoding != null) {
                    encodings.put(path, encoding);
                }
                payloadHashes.put(path, String.valueOf(exchange.getRequestHeaders().getFirst("x-amz-content-sha256")));
                queries.put(path, String.valueOf(exchange.getRequestURI().getRawQuery()));
                exchange.getResponseHeaders().add("ETag", "\"0\"");
                exchange.sendResponseHeaders(200, -1);
            } else { // HEAD: nothing stored yet
                exchange.sendResponseHeaders(404, -1);
            }
            exchange.close();
        });
        server.start();
        byte[] bytes = new byte[300 << 10]; // a few of the SDK's 128 KiB chunks, one part
        new Random(7).nextBytes(bytes);
        Path file = Files.write(Files.createTempFile("plain-body", ".bin"), bytes);
        String key = ContentAddress.of(HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes)));
        try (S3BlobStore store = S3BlobStore.of(config(URI.create("http://127.0.0.1:" + server.getAddress().getPort())))) {
            store.put(key, file);
        } finally {
            Files.deleteIfExists(file);
        }
        String object = "/bucket/" + key;
        assertEquals(bytes.length, bodies.get(object).length, "bytes on the wire");
        assertArrayEquals(bytes, bodies.get(object));
        assertNull(encodings.get(object), "Content-Encoding");
        // one PutObject (no multipart query), signed with the content address as its payload hash
        assertEquals("null", queries.get(object), "query");
        assertEquals(ContentAddress.sha256Of(key), payloadHashes.get(object), "x-amz-content-sha256");
    }

    private static StorageConfig.S3 config(URI endpoint) {
        return new StorageConfig.S3() {
            public Optional<String> bucket() { return Optional.of("bucket"); }
            public Optional<String> prefix() { return Optional.empty(); }
            public Optional<URI> endpoint() { return Optional.of(endpoint); }
            public String region() { return "us-east-1"; }
            public boolean pathStyle() { return true; }
            public Optional<String> accessKeyId() { return Optional.of("test"); }
            public Optional<String> secretAccessKey() { return Optional.of("test"); }
            public MemorySize multipartThreshold() { return new MemorySize(BigInteger.valueOf(5L << 30)); }
            public MemorySize partSize() { return new MemorySize(BigInteger.valueOf(16 << 20)); }
            public int parallelism() { return 1; }
        };
    }
}
