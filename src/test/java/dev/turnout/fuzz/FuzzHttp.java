package dev.turnout.fuzz;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Sends fuzz cases over real HTTP and judges every answer: never a 5xx; every 4xx a JSON object with an "error"
 * string; no internals in any body (stack frames, exception or class names, SQL, server paths) unless the request
 * itself carried that text (error messages may echo client input). Failures are collected, not thrown at once, so
 * one run reports every distinct problem.
 */
final class FuzzHttp {

    /** Text that gives away internals. Checked case-sensitively, and only when the request did not contain it. */
    static final List<String> LEAKS = List.of("Exception", "\tat ", "at dev.", "at java.", "at org.", "at io.",
            "org.hibernate", "SELECT ", "INSERT ", "/tmp/", "test-data", "uploads/", "/work/", "dev.turnout.",
            "java.lang.", "Caused by", "org.postgresql", "io.vertx", "io.quarkus", "ai.djl.", "ai.onnxruntime",
            "onnxruntime_src", ".cc:", ".cpp:", "resteasy-reactive");

    private static final ObjectMapper JSON = new ObjectMapper();

    record Answer(int status, String contentType, String body) {
    }

    private final URI base;
    private final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();
    private final List<String> failures = new ArrayList<>();
    private final Map<Integer, Integer> statuses = new TreeMap<>();
    private final Map<String, Integer> errors = new TreeMap<>();
    private int cases;

    FuzzHttp(URI base) {
        this.base = base;
    }

    int cases() {
        return cases;
    }

    Map<Integer, Integer> statuses() {
        return statuses;
    }

    List<String> failures() {
        return failures;
    }

    /** Every distinct error code and message opening seen, with how often (digits folded, to group alike ones). */
    Map<String, Integer> errors() {
        return errors;
    }

    /** One request: {@code path} is sent as given (already percent-encoded), {@code body} null for none. */
    Answer send(String method, String path, String contentType, byte[] body, boolean chunked) {
        HttpRequest.BodyPublisher publisher = body == null ? HttpRequest.BodyPublishers.noBody()
                : chunked ? HttpRequest.BodyPublishers.ofInputStream(() -> new ByteArrayInputStream(body))
                : HttpRequest.BodyPublishers.ofByteArray(body);
        URI uri;
        try {
            uri = URI.create(base.toString().replaceAll("/$", "") + path);
        } catch (IllegalArgumentException e) {
            throw new IllegalStateException("the generator made an invalid URI: " + path, e);
        }
        HttpRequest.Builder request = HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(60))
                .method(method, publisher);
        if (contentType != null) {
            request.header("Content-Type", contentType);
        }
        try {
            HttpResponse<byte[]> response = client.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
            return new Answer(response.statusCode(), response.headers().firstValue("Content-Type").orElse(""),
                    new String(response.body(), StandardCharsets.UTF_8));
        } catch (IOException e) {
            // the server may close the connection on a refused oversized body before reading it all
            return new Answer(-1, "", "connection: " + e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** Sends {@code raw} bytes as the whole request on a fresh socket (for request lines no URI class accepts). */
    Answer sendRaw(byte[] raw) {
        try (Socket socket = new Socket(base.getHost(), base.getPort())) {
            socket.setSoTimeout(30_000);
            OutputStream out = socket.getOutputStream();
            out.write(raw);
            out.flush();
            InputStream in = socket.getInputStream();
            ByteArrayOutputStream response = new ByteArrayOutputStream();
            byte[] buffer = new byte[8192];
            for (int n; (n = in.read(buffer)) > 0; ) {
                response.write(buffer, 0, n);
            }
            String text = response.toString(StandardCharsets.ISO_8859_1);
            int headersEnd = text.indexOf("\r\n\r\n");
            if (!text.startsWith("HTTP/1.") || headersEnd < 0) {
                return new Answer(-1, "", text);
            }
            int status = Integer.parseInt(text.substring(9, 12));
            String headers = text.substring(0, headersEnd).toLowerCase();
            String contentType = headers.lines().filter(l -> l.startsWith("content-type:"))
                    .map(l -> l.substring(13).trim()).findFirst().orElse("");
            String body = new String(response.toByteArray(), headersEnd + 4, response.size() - headersEnd - 4,
                    StandardCharsets.UTF_8);
            if (headers.contains("transfer-encoding: chunked")) {
                body = body.replaceAll("(?m)^[0-9a-f]+\r$", "").replace("\r\n", "").strip();
            }
            return new Answer(status, contentType, body);
        } catch (IOException e) {
            return new Answer(-1, "", "connection: " + e);
        }
    }

    /**
     * Judges one answer. {@code what} names the case in a failure report; {@code request} is everything the client
     * sent (echoes of it are not leaks).
     */
    void check(String what, String request, Answer answer, boolean jsonRequired) {
        cases++;
        statuses.merge(answer.status(), 1, Integer::sum);
        if (answer.status() >= 400 && answer.contentType().startsWith("application/json")) {
            try {
                JsonNode body = JSON.readTree(answer.body());
                String error = body.path("error").asText("").replaceAll("[0-9]+", "N");
                errors.merge(answer.status() + " " + body.path("code").asText() + ": "
                        + (error.length() > 70 ? error.substring(0, 70) : error), 1, Integer::sum);
            } catch (IOException e) {
                // judged below
            }
        }
        String problem = problem(request, answer, jsonRequired);
        if (problem != null) {
            failures.add(what + " -> " + problem + "\n      request: " + shorten(request) + "\n      answer: "
                    + answer.status() + " " + answer.contentType() + " " + shorten(answer.body()));
        }
    }

    /** OIP model readiness answers 503 {"ready": false} by design (so it works as a probe): not a server error. */
    private static boolean notReady(String request, Answer answer) {
        String[] parts = request.split(" ", 3);
        return answer.status() == 503 && parts.length > 1 && parts[0].equals("GET")
                && parts[1].matches("/v2/models/[^?]+/ready(\\?.*)?") && answer.body().contains("\"ready\":false");
    }

    private static String problem(String request, Answer answer, boolean jsonRequired) {
        if (answer.status() < 0) {
            return "no HTTP answer (" + shorten(answer.body()) + ")";
        }
        for (String leak : LEAKS) {
            if (answer.body().contains(leak) && !request.contains(leak)) {
                return "leaks '" + leak.replace("\t", "\\t") + "'";
            }
        }
        if (notReady(request, answer)) {
            return null;
        }
        if (answer.status() >= 500) {
            return "server error " + answer.status();
        }
        if (answer.status() >= 400 && jsonRequired) {
            if (!answer.contentType().startsWith("application/json")) {
                return "a " + answer.status() + " that is not JSON (" + answer.contentType() + ")";
            }
            try {
                JsonNode body = JSON.readTree(answer.body());
                if (body == null || !body.isObject() || !body.path("error").isTextual() || body.path("error").asText().isBlank()) {
                    return "a " + answer.status() + " without an \"error\" string";
                }
            } catch (IOException e) {
                return "a " + answer.status() + " whose body is not JSON";
            }
        }
        return null;
    }

    static String shorten(String text) {
        String flat = text.replace("\r", "\\r").replace("\n", "\\n");
        return flat.length() > 400 ? flat.substring(0, 400) + "… (" + flat.length() + " chars)" : flat;
    }
}
