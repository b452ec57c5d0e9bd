package dev.turnout.events;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.turnout.Fixtures;
import io.agroal.api.AgroalDataSource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

import static dev.turnout.TestDb.column;
import static dev.turnout.TestDb.count;
import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Events reach a real webhook receiver, signed, retried, filtered; refused changes write none. */
@QuarkusTest
@TestProfile(WebhookDeliveryTest.WithWebhooks.class)
class WebhookDeliveryTest {

    static final String SECRET = "test-secret";

    public static class WithWebhooks implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of(
                    "turnout.events.webhooks.all.url", WebhookReceiver.url("/all"),
                    "turnout.events.webhooks.all.secret", SECRET,
                    "turnout.events.webhooks.flips.url", WebhookReceiver.url("/flips"),
                    "turnout.events.webhooks.flips.secret", "other-secret",
                    "turnout.events.webhooks.flips.events", "model.activated,model.rolled_back",
                    "turnout.events.poll-interval", "100ms",
                    "turnout.events.initial-backoff", "300ms",
                    "turnout.events.max-attempts", "4");
        }
    }

    @Inject
    AgroalDataSource db;
    @Inject
    ObjectMapper mapper;

    static int upload(String name, String fixture) {
        return given().multiPart("artifact", Fixtures.model(fixture)).post("/api/models/{name}/versions", name)
                .then().statusCode(201).extract().path("version");
    }

    static void flip(String name, int version) {
        given().contentType("application/json").body("{\"version\": " + version + ", \"reason\": \"ship it\"}")
                .put("/api/models/{name}/active", name).then().statusCode(200);
    }

    static List<WebhookReceiver.Received> await(Supplier<List<WebhookReceiver.Received>> seen, int count) {
        long deadline = System.nanoTime() + 20_000_000_000L;
        while (seen.get().size() < count && System.nanoTime() < deadline) {
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                throw new AssertionError(e);
            }
        }
        List<WebhookReceiver.Received> received = seen.get();
        assertEquals(count, received.size(), "deliveries received: " + received);
        return received;
    }

    @Test
    void uploadFlipAndRollbackArriveSignedAndInOrder() throws Exception {
        String name = Fixtures.uniqueName("events");
        upload(name, "linear-v1.onnx");
        upload(name, "linear-v2.onnx");
        flip(name, 1);
        flip(name, 2);
        given().contentType("application/json").body("{\"reason\": \"v2 misbehaves\"}")
                .post("/api/models/{name}/rollback", name).then().statusCode(200);

        List<WebhookReceiver.Received> all = await(() -> WebhookReceiver.received("/all", "\"" + name + "\""), 5);
        List<String> types = all.stream().map(r -> r.headers().get("x-turnout-event")).toList();
        assertEquals(List.of("version.created", "version.created", "model.activated", "model.activated",
                "model.rolled_back"), types);
        long previousId = 0;
        for (WebhookReceiver.Received delivery : all) {
            assertEquals(WebhookSignature.of(SECRET.getBytes(), delivery.body()),
                    delivery.headers().get("x-turnout-signature"), "signature of " + delivery.body());
            assertTrue(delivery.headers().get("x-turnout-signature").matches("sha256=[0-9a-f]{64}"));
            assertTrue(delivery.headers().containsKey("x-turnout-delivery"));
            JsonNode body = mapper.readTree(delivery.body());
            assertEquals(delivery.headers().get("x-turnout-event"), body.get("type").asText());
            assertEquals(name, body.get("model").asText());
            assertTrue(body.get("id").asLong() > previousId, "ids grow with the order of changes");
            previousId = body.get("id").asLong();
        }
        JsonNode rollback = mapper.readTree(all.get(4).body());
        assertEquals(1, rollback.get("version").asInt());
        assertEquals(2, rollback.get("previous_version").asInt());
        assertEquals("v2 misbehaves", rollback.get("reason").asText());
        assertEquals("anonymous (security disabled)", rollback.get("actor").asText());
        assertTrue(rollback.hasNonNull("time"));

        // The filtered webhook receives the flips and the rollback only, signed with its own secret.
        List<WebhookReceiver.Received> flips = await(() -> WebhookReceiver.received("/flips", "\"" + name + "\""), 3);
        assertEquals(List.of("model.activated", "model.activated", "model.rolled_back"),
                flips.stream().map(r -> r.headers().get("x-turnout-event")).toList());
        flips.forEach(delivery -> assertEquals(WebhookSignature.of("other-secret".getBytes(), delivery.body()),
                delivery.headers().get("x-turnout-signature")));

        given().get("/api/events/deliveries?limit=1000").then().statusCode(200)
                .body("findAll { it.model == '" + name + "' }.status", everyItemIs("DELIVERED"))
                .body("findAll { it.model == '" + name + "' }.size()", equalTo(8));
        given().get("/api/events").then().statusCode(200)
                .body("findAll { it.model == '" + name + "' }.type", hasItem("model.rolled_back"));
    }

    private static org.hamcrest.Matcher<Iterable<? extends String>> everyItemIs(String value) {
        return org.hamcrest.Matchers.everyItem(equalTo(value));
    }

    @Test
    void aFailingReceiverIsRetriedWithBackoffUntilItAccepts() throws Exception {
        WebhookReceiver.failNext("/flips", 2);
        String name = Fixtures.uniqueName("events-retry");
        upload(name, "linear-v1.onnx");
        flip(name, 1);

        List<WebhookReceiver.Received> attempts = await(() -> WebhookReceiver.received("/flips", "\"" + name + "\""), 3);
        assertEquals(1, attempts.stream().map(WebhookReceiver.Received::body).distinct().count(),
                "the same body each attempt");
        long firstWait = attempts.get(1).receivedAtNanos() - attempts.get(0).receivedAtNanos();
        long secondWait = attempts.get(2).receivedAtNanos() - attempts.get(1).receivedAtNanos();
        assertTrue(firstWait >= 250_000_000L, "first retry after the initial backoff, was " + firstWait / 1_000_000 + " ms");
        assertTrue(secondWait >= 550_000_000L, "second retry after twice that, was " + secondWait / 1_000_000 + " ms");
        assertEquals(List.of("DELIVERED 3 204"), column(db, "SELECT d.status || ' ' || d.attempts || ' ' || d.http_status "
                + "FROM webhook_delivery d JOIN event_outbox e ON e.id = d.event_id WHERE e.model = ? "
                + "AND d.webhook = 'flips'", name));
    }

    @Test
    void refusedChangesWriteNoEvent() throws Exception {
        String name = Fixtures.uniqueName("events-refused");
        upload(name, "linear-v1.onnx");
        // A failed upload: not a model.
        given().multiPart("artifact", "junk.onnx", "not a model".getBytes()).post("/api/models/{name}/versions", name)
                .then().statusCode(422);
        // A guard refuses the flip (409) inside the flip's transaction.
        given().contentType("application/json").body("{\"version\": 1, \"require\": [\"accuracy >= 0.9\"]}")
                .put("/api/models/{name}/active", name).then().statusCode(409);
        // A rollback with nothing to roll back to, a deactivation of an inactive model.
        given().contentType("application/json").body("{}").post("/api/models/{name}/rollback", name)
                .then().statusCode(409);
        given().delete("/api/models/{name}/active", name).then().statusCode(409);
        assertEquals(List.of("version.created"), column(db, "SELECT type FROM event_outbox WHERE model = ? ORDER BY id",
                name));
    }

    @Test
    void metricChangesAreEvents() throws Exception {
        String name = Fixtures.uniqueName("events-patch");
        upload(name, "linear-v1.onnx");
        given().contentType("application/json").body("{\"metrics\": {\"rmse\": 0.1}, \"tags\": {\"stage\": \"qa\"}}")
                .patch("/api/models/{name}/versions/1", name).then().statusCode(200);
        List<WebhookReceiver.Received> all = await(() -> WebhookReceiver.received("/all", "\"" + name + "\""), 2);
        JsonNode changed = mapper.readTree(all.get(1).body());
        assertEquals("version.changed", changed.get("type").asText());
        assertEquals(0.1, changed.get("metrics").get("rmse").asDouble());
        assertEquals("qa", changed.get("tags").get("stage").asText());
        assertEquals(0, count(db, "SELECT count(*) FROM webhook_delivery d JOIN event_outbox e ON e.id = d.event_id "
                + "WHERE e.model = ? AND d.webhook = 'flips'", name), "the flips webhook filters these out");
    }

    @Test
    void theLogsArePagedAndRefuseUnknownParameters() {
        String name = Fixtures.uniqueName("events-page");
        upload(name, "linear-v1.onnx");
        upload(name, "linear-v2.onnx");
        String cursor = given().get("/api/events/deliveries?limit=1").then().statusCode(200)
                .body("size()", equalTo(1)).extract().header("Next-Cursor");
        given().get("/api/events/deliveries?limit=1&cursor=" + cursor).then().statusCode(200)
                .body("size()", equalTo(1));
        given().get("/api/events?limit=0").then().statusCode(400).body("error", containsString("limit"));
        given().get("/api/events?cursor=abc").then().statusCode(400).body("error", containsString("cursor"));
        given().get("/api/events/deliveries?status=FAILED").then().statusCode(400)
                .body("error", containsString("unknown query parameter 'status'"));
    }
}
