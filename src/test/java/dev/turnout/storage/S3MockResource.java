package dev.turnout.storage;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.HttpURLConnection;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * A real S3-compatible server for the s3 store's tests: Adobe's S3Mock, a runnable jar that Maven copies to
 * target/s3mock (pom.xml), started here on free ports with the bucket {@value #BUCKET}.
 */
public class S3MockResource implements QuarkusTestResourceLifecycleManager {

    static final String BUCKET = "turnout";
    private Process process;
    private String store = "s3";

    /** Init argument {@code store}: the store new artifacts go to (default s3; postgres to test a move to s3). */
    @Override
    public void init(Map<String, String> initArgs) {
        store = initArgs.getOrDefault("store", "s3");
    }

    @Override
    public Map<String, String> start() {
        Path jar = Path.of("target/s3mock/s3mock.jar");
        if (!Files.isRegularFile(jar)) {
            throw new IllegalStateException(jar + " is missing: Maven copies it in generate-test-resources");
        }
        try {
            int http = freePort();
            int https = freePort();
            Path root = Files.createTempDirectory("s3mock");
            Path log = root.resolve("s3mock.log");
            String java = ProcessHandle.current().info().command().orElse("java");
            process = new ProcessBuilder(java, "-Xmx256m", "-jar", jar.toString(),
                    "--com.adobe.testing.s3mock.httpPort=" + http, "--server.port=" + https,
                    "--com.adobe.testing.s3mock.store.initialBuckets=" + BUCKET,
                    "--com.adobe.testing.s3mock.store.root=" + root.resolve("data"))
                    .redirectErrorStream(true).redirectOutput(log.toFile()).start();
            URI endpoint = URI.create("http://127.0.0.1:" + http);
            awaitReady(endpoint, log);
            return Map.of("turnout.artifacts.store", store,
                    "turnout.artifacts.s3.bucket", BUCKET,
                    "turnout.artifacts.s3.prefix", "registry/",
                    "turnout.artifacts.s3.endpoint", endpoint.toString(),
                    "turnout.artifacts.s3.path-style", "true",
                    "turnout.artifacts.s3.access-key-id", "test",
                    "turnout.artifacts.s3.secret-access-key", "test",
                    "turnout.artifacts.s3.part-size", "5M",
                    // above two parts, so S3StoreTest writes a blob both ways
                    "turnout.artifacts.s3.multipart-threshold", "8M");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private void awaitReady(URI endpoint, Path log) throws IOException {
        long deadline = System.nanoTime() + 60_000_000_000L;
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException("S3Mock exited: " + Files.readString(log));
            }
            try {
                HttpURLConnection connection = (HttpURLConnection) endpoint.resolve("/" + BUCKET).toURL().openConnection();
                connection.setConnectTimeout(500);
                if (connection.getResponseCode() == 200) {
                    return;
                }
            } catch (IOException notYet) {
                // starting
            }
            try {
                Thread.sleep(200);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        }
        throw new IllegalStateException("S3Mock did not answer within 60 s: " + Files.readString(log));
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    @Override
    public void stop() {
        if (process != null) {
            process.destroy();
        }
    }
}
