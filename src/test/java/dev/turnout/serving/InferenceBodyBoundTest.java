package dev.turnout.serving;

import dev.turnout.Fixtures;
import dev.turnout.http.WholeBodyLimits;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.Socket;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static dev.turnout.Api.uploadAndActivate;
import static dev.turnout.RawHttp.open;
import static dev.turnout.RawHttp.readAnswer;
import static dev.turnout.RawHttp.send;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The bound on inference bodies is the endpoint's, however its path is spelled, and every request in flight together
 * holds at most a budget of body bytes. Both are refused from the headers alone: these tests send a body that never
 * ends, so only an answer that comes before the body is read can pass.
 */
@QuarkusTest
@TestProfile(InferenceBodyBoundTest.SmallBudget.class)
class InferenceBodyBoundTest {

    @Inject
    WholeBodyLimits limits;

    /**
     * Room for 40 bodies of the largest size in flight at once, not 41. (The budget is never below the largest body
     * one request may hold, a management JSON body of 9 MiB, so it cannot be as small as a few inference bodies.)
     */
    public static class SmallBudget implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("turnout.serving.max-in-flight-bytes", "10M");
        }
    }

    private static final int LARGEST = 256 * 1024; // %test.turnout.serving.max-request-size

    @ParameterizedTest
    @ValueSource(strings = {"/predict", "/predict/", "/v2/models/m/infer", "/v2/models/m/infer/",
            "/v2/models/m/versions/1/infer/", "/v1/models/m:predict", "/v1/models/m/versions/1:predict",
            "/v2//models/m/infer", "/predict;x=1"})
    void aChunkedBodyIsRefusedBeforeItIsRead(String path) throws IOException {
        try (Socket socket = open()) {
            send(socket, "POST " + path + " HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n"
                    + "Transfer-Encoding: chunked\r\n\r\n" + "10000\r\n" + "[".repeat(0x10000) + "\r\n");
            String answer = readAnswer(socket); // the body has not ended: only a refusal from the headers arrives
            assertTrue(answer.startsWith("HTTP/1.1 411"), path + ": " + answer);
            assertTrue(answer.contains("\"code\":\"LENGTH_REQUIRED\""), answer);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"/predict/", "/v2/models/m/infer/", "/v1/models/m:predict"})
    void aDeclaredLengthOverTheLimitIsRefusedBeforeItIsRead(String path) throws IOException {
        try (Socket socket = open()) {
            send(socket, "POST " + path + " HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n"
                    + "Content-Length: 600000\r\n\r\n" + "[".repeat(1000));
            String answer = readAnswer(socket);
            assertTrue(answer.startsWith("HTTP/1.1 413"), path + ": " + answer);
            assertTrue(answer.contains("turnout.serving.max-request-size"), answer);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"", " "})
    void aContentLengthSentEmptyIsRefusedNotReadAsNoLength(String value) throws IOException {
        // the HTTP layer (Netty) refuses it before any route is matched: a 400 with no body, not the API's JSON
        for (String path : List.of("/v2/models/m/infer", "/predict", "/v1/models/m:predict")) {
            try (Socket socket = open()) {
                send(socket, "POST " + path + " HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n"
                        + "Content-Length:" + value + "\r\n\r\n{}");
                String answer = readAnswer(socket);
                assertTrue(answer.startsWith("HTTP/1.1 400"), path + " with '" + value + "': " + answer);
            }
        }
    }

    @Test
    void bodiesInFlightTogetherStayWithinTheBudget() throws IOException {
        String name = uploadAndActivate(Fixtures.uniqueName("budget"), Fixtures.model("linear-v1.onnx"));
        List<Socket> slow = new ArrayList<>();
        try {
            int fitting = (int) (limits.budget().capacity() / LARGEST);
            assertEquals(40, fitting, "the profile's budget");
            for (int i = 0; i < fitting; i++) { // slow clients hold 40 x 256K of the 10M budget
                Socket socket = open();
                slow.add(socket);
                send(socket, headers("/v2/models/" + name + (i % 2 == 0 ? "/infer/" : "/infer"), LARGEST) + "{\"in");
            }
            // connections are accepted on several event loops: wait until all are admitted, so the next is last
            for (int wait = 0; limits.budget().reserved() < (long) fitting * LARGEST; wait++) {
                assertTrue(wait < 100, "the slow clients were never admitted: " + limits.budget().reserved());
                sleep(50);
            }
            try (Socket next = open()) {
                send(next, headers("/v2/models/" + name + "/infer", LARGEST) + "{");
                String answer = readAnswer(next);
                assertTrue(answer.startsWith("HTTP/1.1 503"), answer);
                assertTrue(answer.toLowerCase().contains("retry-after: 1"), answer);
                assertTrue(answer.contains("turnout.serving.max-in-flight-bytes"), answer);
            }
        } finally {
            for (Socket socket : slow) {
                socket.close();
            }
        }
        // the slow clients went away: their reservations are returned, a small request passes again
        String body = "{\"inputs\":[{\"name\":\"x\",\"datatype\":\"FP32\",\"shape\":[1,1],\"data\":[3.0]}]}";
        for (int attempt = 0; ; attempt++) {
            try (Socket socket = open()) {
                send(socket, headers("/v2/models/" + name + "/infer", body.length()) + body);
                String answer = readAnswer(socket);
                if (answer.startsWith("HTTP/1.1 200")) {
                    break;
                }
                if (attempt > 50) {
                    fail("the budget was not returned after the clients left: " + answer);
                }
                sleep(100);
            }
        }
    }

    @Test
    void theJsonTreeABodyBecomesHoldsItsShareOfTheBudgetToo() throws IOException {
        // A TF Serving or /predict body is parsed into a JSON tree of ~20 times its size ([1.5], six bytes, is an
        // array node, its list and a number node): four 16 MiB bodies, each within the budget's count of body bytes,
        // ran a 1 GiB heap out of memory. The tree is charged as it is built: here the slow clients leave room for
        // the largest body's bytes, not for its tree.
        String name = uploadAndActivate(Fixtures.uniqueName("tree-budget"), Fixtures.model("linear-v1.onnx"));
        String body = rowsBody(LARGEST);
        int fitting = (int) (limits.budget().capacity() / LARGEST);
        List<Socket> slow = new ArrayList<>();
        try {
            for (int i = 0; i < fitting - 1; i++) {
                Socket socket = open();
                slow.add(socket);
                send(socket, headers("/v2/models/" + name + "/infer", LARGEST) + "{\"in");
            }
            for (int wait = 0; limits.budget().reserved() < (long) (fitting - 1) * LARGEST; wait++) {
                assertTrue(wait < 100, "the slow clients were never admitted: " + limits.budget().reserved());
                sleep(50);
            }
            try (Socket socket = open()) {
                send(socket, headers("/v1/models/" + name + ":predict", body.length()) + body);
                String answer = readAnswer(socket);
                assertTrue(answer.startsWith("HTTP/1.1 503"), answer.substring(0, Math.min(400, answer.length())));
                assertTrue(answer.contains("turnout.serving.max-in-flight-bytes"), answer);
            }
        } finally {
            for (Socket socket : slow) {
                socket.close();
            }
        }
        for (int attempt = 0; ; attempt++) { // with the room back, the same body is answered, and returns its share
            try (Socket socket = open()) {
                send(socket, headers("/v1/models/" + name + ":predict", body.length()) + body);
                String answer = readAnswer(socket);
                if (answer.startsWith("HTTP/1.1 200")) {
                    break;
                }
                if (attempt > 50) {
                    fail("the budget was not returned after the clients left: " + answer.substring(0, 400));
                }
                sleep(100);
            }
        }
        for (int wait = 0; limits.budget().reserved() > 0 && wait < 100; wait++) {
            sleep(20);
        }
        assertEquals(0, limits.budget().reserved(), "the answered request kept its share of the budget");
    }

    /** A TF Serving row-format body of at most {@code size} bytes: {"instances": [[1.5], [1.5], ...]}. */
    private static String rowsBody(int size) {
        StringBuilder body = new StringBuilder("{\"instances\":[[1.5]");
        while (body.length() + 6 + 2 <= size) {
            body.append(",[1.5]");
        }
        return body.append("]}").toString();
    }

    @Test
    void answeredRequestsReturnTheirShare() throws IOException {
        String name = uploadAndActivate(Fixtures.uniqueName("budget-return"), Fixtures.model("linear-v1.onnx"));
        String body = "{\"inputs\":[{\"name\":\"x\",\"datatype\":\"FP32\",\"shape\":[1,1],\"data\":[3.0]}]}";
        for (int i = 0; i < 20; i++) {
            try (Socket socket = open()) { // one request per connection: only its answer can return the share
                send(socket, headers("/v2/models/" + name + "/infer", body.length()) + body);
                assertTrue(readAnswer(socket).startsWith("HTTP/1.1 200"));
            }
        }
        try (Socket socket = open()) { // and on one kept-alive connection
            for (int i = 0; i < 20; i++) {
                send(socket, headers("/predict", 20) + "{\"example\": [[1.0]]}");
                assertTrue(readAnswer(socket).startsWith("HTTP/1.1 "));
            }
            for (int wait = 0; limits.budget().reserved() > 0 && wait < 100; wait++) {
                sleep(20);
            }
            assertEquals(0, limits.budget().reserved(), "answered requests kept their share of the budget");
        }
    }

    private static String headers(String path, int length) {
        return "POST " + path + " HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: "
                + length + "\r\n\r\n";
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
