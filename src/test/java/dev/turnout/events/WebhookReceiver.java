package dev.turnout.events;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A real webhook receiver for the tests: a JDK HTTP server on a free port that records every POST by path; a path can
 * be told to answer 500 a number of times first. One per JVM: Quarkus loads the test profile and the test in different
 * class loaders, so the server is started once (its port in a system property) and the test asks it over HTTP what
 * it received.
 */
final class WebhookReceiver {

    /** One POST as received. */
    record Received(String path, Map<String, String> headers, String body, long receivedAtNanos) {
    }

    private static final String PORT = "dev.turnout.test.webhook-receiver-port";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient CLIENT = HttpClient.newHttpClient();

    private WebhookReceiver() {
    }

    static synchronized String url(String path) {
        if (System.getProperty(PORT) == null) {
            System.setProperty(PORT, String.valueOf(start()));
        }
        return "http://127.0.0.1:" + System.getProperty(PORT) + path;
    }

    /** The next {@code times} POSTs to {@code path} are answered 500. */
    static void failNext(String path, int times) {
        call(HttpRequest.newBuilder(URI.create(url("/control/fail?path=" + path + "&times=" + times)))
                .PUT(HttpRequest.BodyPublishers.noBody()));
    }

    /** What {@code path} received whose body mentions {@code text} (a model name), in order of arrival. */
    static List<Received> received(String path, String text) {
        try {
            List<Received> all = JSON.readValue(call(HttpRequest.newBuilder(URI.create(url("/control/received")))),
                    new TypeReference<>() { });
            return all.stream().filter(r -> r.path().equals(path) && r.body().contains(text)).toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String call(HttpRequest.Builder request) {
        try {
            return CLIENT.send(request.build(), HttpResponse.BodyHandlers.ofString()).body();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static int start() {
        List<Received> received = new CopyOnWriteArrayList<>();
        Map<String, AtomicInteger> failuresLeft = new ConcurrentHashMap<>();
        HttpServer server;
        try {
            server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        server.createContext("/control/received", exchange -> {
            byte[] body = JSON.writeValueAsBytes(received);
            exchange.sendResponseHeaders(200, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        server.createContext("/control/fail", exchange -> {
            Map<String, String> query = new ConcurrentHashMap<>();
            for (String pair : exchange.getRequestURI().getQuery().split("&")) {
                String[] parts = pair.split("=", 2);
                query.put(parts[0], parts[1]);
            }
            failuresLeft.put(query.get("path"), new AtomicInteger(Integer.parseInt(query.get("times"))));
            exchange.sendResponseHeaders(204, -1);
            exchange.close();
        });
        server.createContext("/", exchange -> {
            String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
            String path = exchange.getRequestURI().getPath();
            AtomicInteger failures = failuresLeft.get(path);
            boolean fail = failures != null && failures.getAndDecrement() > 0;
            Map<String, String> headers = new ConcurrentHashMap<>();
            exchange.getRequestHeaders().forEach((name, values) -> headers.put(name.toLowerCase(), values.get(0)));
            received.add(new Received(path, headers, body, System.nanoTime()));
            exchange.sendResponseHeaders(fail ? 500 : 204, -1);
            exchange.close();
        });
        server.start();
        return server.getAddress().getPort();
    }
}
