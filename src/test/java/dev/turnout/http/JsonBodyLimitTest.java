package dev.turnout.http;

import dev.turnout.Fixtures;
import dev.turnout.registry.RegistryRules;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.RestAssured;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static dev.turnout.RawHttp.open;
import static dev.turnout.RawHttp.readAnswer;
import static dev.turnout.RawHttp.send;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The management API's JSON bodies (evaluations, flips, rollouts, PATCH, store copies) are read whole into memory:
 * they are bounded, whatever the endpoint. Without the bound one 300 MB body of blanks, under the 2G upload limit,
 * ran a server with -Xmx256m out of heap (OutOfMemoryError, a 500). The bound must still take every request within
 * the documented limits, however its characters are spelled.
 */
@QuarkusTest
@TestProfile(JsonBodyLimitTest.LargeUploads.class)
class JsonBodyLimitTest {

    /**
     * Uploads, so any body, up to 16M (the tests' default, 1M, refuses these bodies before an endpoint sees them), and
     * an in-flight budget with room for two JSON bodies of the largest size at once, not three.
     */
    public static class LargeUploads implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("turnout.registry.max-upload-size", "16M", "turnout.datasets.max-upload-size", "16M",
                    "turnout.serving.max-in-flight-bytes", "20M");
        }
    }

    /** quarkus.http.limits.max-form-attribute-size: the bound of an upload's text parts. */
    static final int FORM_ATTRIBUTE_LIMIT = 1 << 20;

    @Inject
    BoundedStringBodies bodies;

    @Inject
    WholeBodyLimits limits;

    @Test
    void aJsonBodyOverTheBoundIsA413OnEveryManagementEndpoint() {
        int limit = bodies.maxBytes();
        String model = Fixtures.uniqueName("bounded");
        given().multiPart("artifact", Fixtures.model("linear-v1.onnx")).post("/api/models/{name}/versions", model)
                .then().statusCode(201);
        String over = "{" + " ".repeat(limit) + "}";
        for (String path : List.of("/api/models/" + model + "/versions/1/evaluations", "/api/artifacts/copy",
                "/api/models/" + model + "/rollouts")) {
            given().contentType("application/json").body(over).post(path).then().statusCode(413)
                    .contentType("application/json").body("code", equalTo("PAYLOAD_TOO_LARGE"))
                    .body("error", containsString("JSON body")).body("error", containsString(limit + " bytes"));
        }
        given().contentType("application/json").body(over).put("/api/models/{name}/active", model).then()
                .statusCode(413).body("code", equalTo("PAYLOAD_TOO_LARGE"));
        given().contentType("application/json").body(over).patch("/api/models/{name}/versions/1", model).then()
                .statusCode(413).body("code", equalTo("PAYLOAD_TOO_LARGE"));
        // the text parts of an upload larger than the bound are no JSON body
        String csv = "a,b\n" + "1,2\n".repeat(limit / 4 + 1);
        given().multiPart("data", "big.csv", csv.getBytes(StandardCharsets.UTF_8))
                .multiPart("description", "rows over the JSON bound").multiPart("tags", "{\"size\": \"big\"}")
                .post("/api/datasets/{name}/versions", model).then().statusCode(201)
                .body("description", equalTo("rows over the JSON bound")).body("tags.size", equalTo("big"));
        // at the limit the body is read and judged on what it says
        String at = "{" + " ".repeat(limit - 2) + "}";
        given().contentType("application/json").body(at).post("/api/models/{name}/versions/1/evaluations", model)
                .then().statusCode(400).body("error", containsString("'dataset'"));
    }

    @Test
    void jsonBodiesInFlightTogetherStayWithinTheBudget() throws Exception {
        // each body may be 9 MiB, and every one is held whole: without a budget, a crowd of clients each within the
        // bound (authenticated, but any publisher or operator) could still fill the heap, as inference bodies could
        int limit = bodies.maxBytes();
        String model = Fixtures.uniqueName("crowd");
        given().multiPart("artifact", Fixtures.model("linear-v1.onnx")).post("/api/models/{name}/versions", model)
                .then().statusCode(201);
        String headers = "PATCH /api/models/" + model + "/versions/1 HTTP/1.1\r\nHost: localhost\r\n"
                + "Content-Type: application/json\r\nContent-Length: " + limit + "\r\n\r\n";
        List<Socket> slow = new ArrayList<>();
        try {
            for (int i = 0; i < 2; i++) { // two slow clients hold 2 x 9 MiB of the 20M budget
                Socket socket = open();
                slow.add(socket);
                send(socket, headers + "{\"description\": \"");
            }
            for (int wait = 0; limits.budget().reserved() < 2L * limit; wait++) {
                assertTrue(wait < 100, "the slow clients never held their share: " + limits.budget().reserved());
                Thread.sleep(50);
            }
            try (Socket third = open()) {
                send(third, headers + "{");
                String answer = readAnswer(third); // the body has not ended: only a refusal from the headers arrives
                assertTrue(answer.startsWith("HTTP/1.1 503"), answer);
                assertTrue(answer.toLowerCase().contains("retry-after: 1"), answer);
                assertTrue(answer.contains("turnout.serving.max-in-flight-bytes"), answer);
            }
        } finally {
            for (Socket socket : slow) {
                socket.close();
            }
        }
        // the slow clients went away: their shares are returned, and a PATCH passes again
        for (int wait = 0; limits.budget().reserved() > 0; wait++) {
            assertTrue(wait < 100, "the budget was not returned after the clients left: " + limits.budget().reserved());
            Thread.sleep(50);
        }
        given().contentType("application/json").body("{\"description\": \"back\"}")
                .patch("/api/models/{name}/versions/1", model).then().statusCode(200);
        // a share is returned when its request ends, just after the answer's last byte left: the client may read the
        // answer a moment before that (a CI run saw 23 bytes, this body, still held right after the 200)
        for (int wait = 0; limits.budget().reserved() > 0; wait++) {
            assertTrue(wait < 100, "an answered PATCH did not return its share: " + limits.budget().reserved());
            Thread.sleep(50);
        }
    }

    @Test
    void aChunkedJsonBodyOverTheBoundIsA413() throws Exception {
        // no Content-Length: the bound is found by reading, not from the header
        int limit = bodies.maxBytes();
        String model = Fixtures.uniqueName("chunked");
        given().multiPart("artifact", Fixtures.model("linear-v1.onnx")).post("/api/models/{name}/versions", model)
                .then().statusCode(201);
        byte[] over = ("{" + " ".repeat(limit) + "}").getBytes(StandardCharsets.UTF_8);
        URI patch = URI.create(RestAssured.baseURI + ":" + RestAssured.port + "/api/models/" + model + "/versions/1");
        HttpRequest request = HttpRequest.newBuilder(patch).header("Content-Type", "application/json")
                .method("PATCH", HttpRequest.BodyPublishers.ofInputStream(() -> new ByteArrayInputStream(over)))
                .build(); // a stream of unknown length: sent chunked
        HttpResponse<String> response = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build()
                .send(request, HttpResponse.BodyHandlers.ofString());
        assertEquals(413, response.statusCode(), response::body);
        assertTrue(response.headers().firstValue("Content-Type").orElse("").startsWith("application/json"),
                () -> response.headers().toString());
        assertTrue(response.body().contains("\"PAYLOAD_TOO_LARGE\""), response::body);
        assertTrue(response.body().contains("is longer; at most " + limit + " bytes"), response::body);
    }

    @Test
    void aPatchAtTheDocumentedLimitsIsReadWhenEveryCharacterIsEscaped() {
        // RegistryRules allows 256 metrics and 256 tags (names of 128 characters, values of 5000) and a description
        // of 10,000 characters; JSON may spell any character as a six-byte escape (\\u00e9), so such a PATCH is ~8 MB
        String model = Fixtures.uniqueName("maximal");
        given().multiPart("artifact", Fixtures.model("linear-v1.onnx")).post("/api/models/{name}/versions", model)
                .then().statusCode(201);
        String value = "é".repeat(RegistryRules.MAX_TAG_VALUE_LENGTH);
        String description = "ü".repeat(RegistryRules.MAX_DESCRIPTION_LENGTH);
        StringBuilder body = new StringBuilder("{\"metrics\": {");
        for (int i = 0; i < RegistryRules.MAX_ENTRIES; i++) {
            body.append(i == 0 ? "" : ", ").append(escaped(name('m', i))).append(": -1.2345678901234567E-300");
        }
        body.append("}, \"tags\": {");
        for (int i = 0; i < RegistryRules.MAX_ENTRIES; i++) {
            body.append(i == 0 ? "" : ", ").append(escaped(name('t', i))).append(": ").append(escaped(value));
        }
        body.append("}, \"description\": ").append(escaped(description)).append("}");
        assertTrue(body.length() > 7_800_000, () -> "the body is only " + body.length() + " bytes");
        given().contentType("application/json").body(body.toString())
                .patch("/api/models/{name}/versions/1", model).then().statusCode(200);
        given().get("/api/models/{name}/versions/1", model).then().statusCode(200)
                .body("description", equalTo(description))
                .body("tags.size()", equalTo(RegistryRules.MAX_ENTRIES))
                .body("metrics.size()", equalTo(RegistryRules.MAX_ENTRIES))
                .body("tags." + name('t', 255), equalTo(value));
    }

    /** A metric or tag name of the longest length the rules allow (128 characters), distinct per index. */
    private static String name(char kind, int index) {
        String head = kind + String.format("%03d", index);
        return head + "x".repeat(128 - head.length());
    }

    /** A JSON string with every character written as an escape (\\u00e9, six bytes): the longest spelling JSON has. */
    private static String escaped(String text) {
        StringBuilder json = new StringBuilder(text.length() * 6 + 2).append('"');
        text.chars().forEach(c -> json.append(String.format("\\u%04x", c)));
        return json.append('"').toString();
    }

    @Test
    void aFormFieldOtherThanTheFileOverItsLimitIsNamedInThe413() {
        // 3 MB, under this profile's 16M upload limit: only quarkus.http.limits.max-form-attribute-size (1M) refuses
        // it, and the 413 said only "the request body is over the size limit"
        String description = "d".repeat(3_000_000);
        String model = Fixtures.uniqueName("described");
        given().multiPart("data", "small.csv", "a,b\n1,2\n".getBytes(StandardCharsets.UTF_8))
                .multiPart("description", description).post("/api/datasets/{name}/versions", model).then()
                .statusCode(413).contentType("application/json").body("code", equalTo("PAYLOAD_TOO_LARGE"))
                .body("error", containsString("form field other than the file"))
                .body("error", containsString("quarkus.http.limits.max-form-attribute-size"))
                .body("error", containsString(FORM_ATTRIBUTE_LIMIT + " bytes"));
        given().multiPart("artifact", Fixtures.model("linear-v1.onnx")).multiPart("description", description)
                .post("/api/models/{name}/versions", model).then()
                .statusCode(413).contentType("application/json").body("code", equalTo("PAYLOAD_TOO_LARGE"))
                .body("error", containsString("form field other than the file"));
        given().get("/api/datasets/{name}/versions", model).then().statusCode(404);
    }
}
