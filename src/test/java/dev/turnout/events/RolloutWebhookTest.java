package dev.turnout.events;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.turnout.Api;
import dev.turnout.Fixtures;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;

import java.util.List;

import static dev.turnout.events.WebhookDeliveryTest.SECRET;
import static dev.turnout.events.WebhookDeliveryTest.await;
import static dev.turnout.events.WebhookDeliveryTest.flip;
import static dev.turnout.events.WebhookDeliveryTest.upload;
import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Rollouts as a webhook receiver sees them: signed events for a start, each step, a promotion and an abort, whether an
 * operator or the analysis decided, with the figures the analysis judged.
 */
@QuarkusTest
@TestProfile(WebhookDeliveryTest.WithWebhooks.class)
class RolloutWebhookTest {

    @Inject
    ObjectMapper mapper;

    /** A model with linear-v1 active and {@code candidate} as version 2. */
    private static String modelWith(String prefix, String candidate) {
        String name = Fixtures.uniqueName(prefix);
        upload(name, "linear-v1.onnx");
        upload(name, candidate);
        flip(name, 1);
        return name;
    }

    private static void start(String name, String body) {
        given().contentType("application/json").body(body).post("/api/models/{name}/rollouts", name).then()
                .statusCode(201);
    }

    /** Predictions of {@code x} until the rollout is no longer RUNNING; its final state. */
    private static String sendUntilEnded(String name, double x) throws InterruptedException {
        long deadline = System.nanoTime() + 60_000_000_000L;
        String state = "RUNNING";
        while ("RUNNING".equals(state) && System.nanoTime() < deadline) {
            for (int i = 0; i < 10; i++) {
                given().urlEncodingEnabled(false).contentType("application/json")
                        .body(Api.oipRequest("x", "FP32", "[1, 1]", "[" + x + "]"))
                        .post("/v2/models/" + name + "/infer").then().statusCode(200);
            }
            state = given().get("/api/models/{name}/rollouts/current", name).then().statusCode(200).extract()
                    .path("state");
            Thread.sleep(20);
        }
        return state;
    }

    /** The deliveries to the unfiltered webhook about {@code name}, once {@code count} arrived; each one signed. */
    private List<WebhookReceiver.Received> signedEvents(String name, int count) throws Exception {
        List<WebhookReceiver.Received> all = await(() -> WebhookReceiver.received("/all", "\"" + name + "\""), count);
        for (WebhookReceiver.Received delivery : all) {
            assertEquals(WebhookSignature.of(SECRET.getBytes(), delivery.body()),
                    delivery.headers().get("x-turnout-signature"), "signature of " + delivery.body());
            assertEquals(delivery.headers().get("x-turnout-event"), mapper.readTree(delivery.body()).get("type").asText());
        }
        return all;
    }

    private static List<String> types(List<WebhookReceiver.Received> deliveries) {
        return deliveries.stream().map(r -> r.headers().get("x-turnout-event")).toList();
    }

    @Test
    void aPromotedAndAnAbortedRolloutArriveSigned() throws Exception {
        String name = modelWith("events-rollout", "linear-v2.onnx");
        String canary = "{\"version\": 2, \"steps\": [10], \"step_duration\": \"1h\", \"reason\": \"try it\"}";
        start(name, canary);
        given().contentType("application/json").body("{\"reason\": \"not now\"}")
                .post("/api/models/{name}/rollouts/current/abort", name).then().statusCode(200);
        start(name, canary);
        given().post("/api/models/{name}/rollouts/current/promote", name).then().statusCode(200);

        List<WebhookReceiver.Received> all = signedEvents(name, 8);
        assertEquals(List.of("version.created", "version.created", "model.activated", "rollout.started",
                "rollout.aborted", "rollout.started", "model.activated", "rollout.promoted"), types(all));
        JsonNode started = mapper.readTree(all.get(3).body());
        assertEquals("try it", started.get("reason").asText());
        assertEquals(10, started.get("weight").asInt());
        assertEquals(List.of(10), mapper.convertValue(started.get("steps"), List.class));
        JsonNode aborted = mapper.readTree(all.get(4).body());
        assertEquals(2, aborted.get("version").asInt());
        assertEquals(1, aborted.get("previous_version").asInt());
        assertEquals("canary", aborted.get("strategy").asText());
        assertEquals(started.get("rollout_id").asLong(), aborted.get("rollout_id").asLong());
        assertTrue(aborted.get("outcome").asText().contains("not now"), aborted.toString());
        JsonNode promoted = mapper.readTree(all.get(7).body());
        assertTrue(promoted.get("rollout_id").asLong() > aborted.get("rollout_id").asLong());
        assertEquals(2, mapper.readTree(all.get(6).body()).get("version").asInt(), "the promotion is a flip to 2");
    }

    @Test
    void eachStepAndTheAutomaticPromotionArriveWithTheirFigures() throws Exception {
        String name = modelWith("events-steps", "linear-v2.onnx");
        start(name, "{\"version\": 2, \"steps\": [10, 30, 60], \"step_duration\": \"300ms\", "
                + "\"analysis\": {\"max_error_rate\": 0.01, \"min_requests\": 5}}");
        assertEquals("PROMOTED", sendUntilEnded(name, 3.0));

        List<WebhookReceiver.Received> all = signedEvents(name, 8);
        assertEquals(List.of("version.created", "version.created", "model.activated", "rollout.started",
                "rollout.step", "rollout.step", "model.activated", "rollout.promoted"), types(all));
        int step = 2;
        for (JsonNode event : List.of(mapper.readTree(all.get(4).body()), mapper.readTree(all.get(5).body()))) {
            assertEquals(step, event.get("step").asInt(), event.toString());
            assertEquals(step == 2 ? 30 : 60, event.get("weight").asInt(), event.toString());
            assertTrue(event.get("actor").asText().startsWith("turnout (analysis on "), event.toString());
            // the figures of the step that passed: the candidate answered min_requests without error
            assertEquals(2, event.get("candidate").get("version").asInt(), event.toString());
            assertTrue(event.get("candidate").get("requests").asLong() >= 5, event.toString());
            assertEquals(0, event.get("candidate").get("errors").asLong(), event.toString());
            assertEquals(1, event.get("active").get("version").asInt(), event.toString());
            step++;
        }
        JsonNode promoted = mapper.readTree(all.get(7).body());
        assertEquals("every step passed", promoted.get("reason").asText());
        assertTrue(promoted.get("actor").asText().startsWith("turnout (analysis on "), promoted.toString());
    }

    @Test
    void anAutomaticAbortArrivesWithTheFiguresThatBreached() throws Exception {
        String name = modelWith("events-breach", "canary-nonfinite.onnx");
        start(name, "{\"version\": 2, \"steps\": [50], \"step_duration\": \"1h\", "
                + "\"analysis\": {\"max_error_rate\": 0.01, \"min_requests\": 20}}");
        assertEquals("ABORTED", sendUntilEnded(name, -1.0)); // log(-1) is NaN: an error to the analysis

        List<WebhookReceiver.Received> all = signedEvents(name, 5);
        assertEquals(List.of("version.created", "version.created", "model.activated", "rollout.started",
                "rollout.aborted"), types(all));
        JsonNode aborted = mapper.readTree(all.get(4).body());
        assertTrue(aborted.get("actor").asText().startsWith("turnout (analysis on "), aborted.toString());
        assertTrue(aborted.get("outcome").asText().startsWith("analysis: error rate of version 2"),
                aborted.toString());
        assertEquals(aborted.get("outcome").asText(), aborted.get("reason").asText());
        JsonNode candidate = aborted.get("candidate");
        assertEquals(2, candidate.get("version").asInt(), aborted.toString());
        assertTrue(candidate.get("errors").asLong() > 0, aborted.toString());
        assertTrue(candidate.get("errors").asLong() <= candidate.get("requests").asLong(), aborted.toString());
        assertTrue(candidate.get("error_rate").asDouble() > 0.01, aborted.toString());
        assertEquals(1, aborted.get("active").get("version").asInt(), aborted.toString());
        assertEquals(0, aborted.get("active").get("errors").asLong(), aborted.toString());
    }
}
