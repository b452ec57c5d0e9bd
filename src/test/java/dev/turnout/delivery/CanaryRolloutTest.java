package dev.turnout.delivery;

import dev.turnout.Api;
import io.agroal.api.AgroalDataSource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static dev.turnout.delivery.DeliveryApiTest.act;
import static dev.turnout.delivery.DeliveryApiTest.awaitState;
import static dev.turnout.delivery.DeliveryApiTest.modelWith;
import static dev.turnout.delivery.DeliveryApiTest.start;
import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Canaries end to end over HTTP and PostgreSQL, with real engines: the share follows the weight, a routing key sticks,
 * a good candidate steps and is promoted, faulty ones (non-finite outputs, engine failures) are aborted by the analysis,
 * and the analysis works from the database alone (figures of other replicas, the lock another replica holds).
 */
@QuarkusTest
class CanaryRolloutTest {

    @Inject
    AgroalDataSource db;
    @Inject
    RolloutAnalyser analyser;

    static Response predict(String name, double x, String routingKey) {
        var request = given().urlEncodingEnabled(false).contentType("application/json")
                .body(Api.oipRequest("x", "FP32", "[1, 1]", "[" + x + "]"));
        if (routingKey != null) {
            request.header("X-Routing-Key", routingKey);
        }
        return request.post("/v2/models/" + name + "/infer");
    }

    static int versionOf(Response response) {
        return Integer.parseInt(response.getHeader("X-Turnout-Model-Version"));
    }

    /** Requests until the candidate has answered once: its split is applied on this replica. */
    static void awaitCandidateServes(String name, int candidate) throws InterruptedException {
        long deadline = System.nanoTime() + 30_000_000_000L;
        while (System.nanoTime() < deadline) {
            Response response = predict(name, 3.0, null);
            if (response.statusCode() == 200 && versionOf(response) == candidate) {
                return;
            }
            Thread.sleep(20);
        }
        throw new AssertionError("version " + candidate + " of " + name + " never answered");
    }

    @Test
    void theObservedShareFollowsTheWeightAndARoutingKeySticks() throws Exception {
        String name = modelWith("linear-v2.onnx");
        start(name, "{\"version\": 2, \"steps\": [30], \"step_duration\": \"1h\", "
                + "\"analysis\": {\"min_requests\": 1000000}}").statusCode(201);
        awaitCandidateServes(name, 2);
        int candidate = 0;
        int total = 1000;
        for (int i = 0; i < total; i++) {
            Response response = predict(name, 3.0, null);
            assertEquals(200, response.statusCode());
            float y = response.jsonPath().getFloat("outputs[0].data[0]");
            if (versionOf(response) == 2) {
                candidate++;
                assertEquals(11.0f, y, "version 2 answers 3x + 2");
            } else {
                assertEquals(7.0f, y, "version 1 answers 2x + 1");
            }
        }
        // 30 % of 1000: the standard deviation is about 14.5 requests, so ±70 is beyond 4.8 of them
        assertTrue(Math.abs(candidate - 300) <= 70, "the candidate answered " + candidate + " of " + total);

        Map<String, Integer> first = new HashMap<>();
        for (int key = 0; key < 40; key++) {
            first.put("user-" + key, versionOf(predict(name, 3.0, "user-" + key)));
        }
        assertTrue(first.containsValue(1) && first.containsValue(2), "keys land on both sides: " + first);
        for (int round = 0; round < 3; round++) {
            for (var entry : first.entrySet()) {
                assertEquals(entry.getValue(), versionOf(predict(name, 3.0, entry.getKey())),
                        "key " + entry.getKey() + " stays on its version");
            }
        }
        // requests naming a version are not split
        for (int i = 0; i < 20; i++) {
            given().urlEncodingEnabled(false).contentType("application/json")
                    .body(Api.oipRequest("x", "FP32", "[1, 1]", "[3.0]"))
                    .post("/v2/models/" + name + "/versions/1/infer").then().statusCode(200)
                    .header("X-Turnout-Model-Version", "1");
        }
        given().get("/api/models/{name}/rollouts/current", name).then().statusCode(200)
                .body("figures.candidate.requests", org.hamcrest.Matchers.greaterThan(0))
                .body("figures.active.requests", org.hamcrest.Matchers.greaterThan(0));
        Api.management().get("/q/metrics").then()
                .body(containsString("turnout_rollout_weight{model=\"" + name + "\",version=\"2\"} 30.0"));
        act(name, "abort").statusCode(200);
        Thread.sleep(1000); // more than the sync interval: every replica has dropped the split
        for (int i = 0; i < 50; i++) {
            assertEquals(1, versionOf(predict(name, 3.0, null)), "after the abort only the active version answers");
        }
    }

    @Test
    void aGoodCandidateStepsAndIsPromoted() throws Exception {
        String name = modelWith("linear-v2.onnx");
        start(name, "{\"version\": 2, \"steps\": [20, 50], \"step_duration\": \"500ms\", \"analysis\": "
                + "{\"max_error_rate\": 0.01, \"max_p99_ratio\": 50, \"min_requests\": 10}}").statusCode(201);
        long deadline = System.nanoTime() + 60_000_000_000L;
        String state = "RUNNING";
        while (!"PROMOTED".equals(state) && System.nanoTime() < deadline) {
            for (int i = 0; i < 20; i++) {
                assertEquals(200, predict(name, 3.0, null).statusCode(), "no request fails during the rollout");
            }
            state = given().get("/api/models/{name}/rollouts/current", name).then().extract().path("state");
            assertTrue(List.of("RUNNING", "PROMOTED").contains(state), "state " + state);
        }
        assertEquals("PROMOTED", state);
        given().get("/api/models/{name}", name).then().body("active_version", equalTo(2));
        given().get("/api/models/{name}/activations", name).then()
                .body("kind", hasItem("rollout_start")).body("kind", hasItem("rollout_step"))
                .body("kind", hasItem("rollout_promote")).body("kind", hasItem("activate"));
        given().get("/api/models/{name}/rollouts/current", name).then()
                .body("decisions.verdict", hasItem("STEP")).body("outcome", containsString("promoted"));
        given().get("/api/events?limit=1000").then()
                .body("findAll { it.model == '" + name + "' }.type", hasItem("rollout.step"))
                .body("findAll { it.model == '" + name + "' }.type", hasItem("rollout.promoted"));
        Thread.sleep(500);
        for (int i = 0; i < 20; i++) {
            assertEquals(2, versionOf(predict(name, 3.0, null)), "after promotion version 2 answers everything");
        }
    }

    @Test
    void nonFiniteOutputsAbortTheCanary() throws Exception {
        String name = modelWith("canary-nonfinite.onnx");
        start(name, "{\"version\": 2, \"steps\": [50], \"step_duration\": \"1h\", "
                + "\"analysis\": {\"max_error_rate\": 0.01, \"min_requests\": 20}}").statusCode(201);
        awaitCandidateServes(name, 2);
        sendUntilEnded(name, -1.0); // log(-1) is NaN: a 200 to the client, an error to the analysis
        given().get("/api/models/{name}/rollouts/current", name).then().body("state", equalTo("ABORTED"))
                .body("outcome", containsString("error rate of version 2"))
                .body("decisions[0].verdict", equalTo("ABORT"));
        given().get("/api/events?limit=1000").then()
                .body("findAll { it.model == '" + name + "' }.type", hasItem("rollout.aborted"));
        Api.management().get("/q/metrics").then()
                .body(containsString("turnout_rollouts_total{model=\"" + name + "\",outcome=\"aborted\"}"));
        Thread.sleep(1000);
        for (int i = 0; i < 30; i++) {
            Response response = predict(name, -1.0, null);
            assertEquals(1, versionOf(response), "weight 0 after the abort");
        }
    }

    @Test
    void engineFailuresAbortTheCanaryButClientErrorsDoNot() throws Exception {
        String name = modelWith("canary-gather-fails.onnx");
        start(name, "{\"version\": 2, \"steps\": [50], \"step_duration\": \"1h\", "
                + "\"analysis\": {\"max_error_rate\": 0.01, \"min_requests\": 20}}").statusCode(201);
        awaitCandidateServes(name, 2);
        for (int i = 0; i < 60; i++) { // malformed requests are the client's fault, whichever version they reach
            given().urlEncodingEnabled(false).contentType("application/json")
                    .body(Api.oipRequest("x", "FP32", "[1, 1]", "[\"three\"]"))
                    .post("/v2/models/" + name + "/infer").then().statusCode(400);
        }
        Thread.sleep(1000);
        given().get("/api/models/{name}/rollouts/current", name).then().body("state", equalTo("RUNNING"));
        sendUntilEnded(name, 50.0); // index 50 of a 10-element table: ONNX Runtime fails, the client gets a 500
        given().get("/api/models/{name}/rollouts/current", name).then().body("state", equalTo("ABORTED"))
                .body("outcome", containsString("error rate of version 2"));
    }

    @Test
    void aMuchSlowerCandidateAbortsOnItsP99() throws Exception {
        String name = modelWith("canary-slow.onnx");
        start(name, "{\"version\": 2, \"steps\": [50], \"step_duration\": \"1h\", "
                + "\"analysis\": {\"max_p99_ratio\": 3, \"min_requests\": 10}}").statusCode(201);
        awaitCandidateServes(name, 2);
        sendUntilEnded(name, 3.0);
        given().get("/api/models/{name}/rollouts/current", name).then().body("state", equalTo("ABORTED"))
                .body("outcome", containsString("over max_p99_ratio 3.0"));
    }

    @Test
    void theAnalysisJudgesEveryReplicasFiguresAndRunsOnOneReplicaAtATime() throws Exception {
        String name = modelWith("linear-v2.onnx");
        int id = start(name, "{\"version\": 2, \"steps\": [10], \"step_duration\": \"1h\", "
                + "\"analysis\": {\"max_error_rate\": 0.05, \"min_requests\": 10}}").statusCode(201)
                .extract().path("id");
        try (Connection other = db.getConnection()) {
            // another replica holds the analysis lock (session-level here; the analysers take it per transaction)
            try (PreparedStatement lock = other.prepareStatement(
                    "SELECT pg_advisory_lock(hashtext('turnout.delivery.analysis'))")) {
                lock.execute();
            }
            // ... and reports that the candidate failed on it
            try (PreparedStatement report = other.prepareStatement("INSERT INTO rollout_traffic (rollout_id, step, "
                    + "replica_id, version, requests, errors, latency) VALUES (?, 0, 'other-replica', 2, 40, 10, "
                    + "'{1,2,3}')")) {
                report.setLong(1, id);
                report.executeUpdate();
            }
            assertEquals(List.of(), analyser.round("test"), "no round while another replica analyses");
            Thread.sleep(1000);
            given().get("/api/models/{name}/rollouts/current", name).then().body("state", equalTo("RUNNING"));
            try (PreparedStatement unlock = other.prepareStatement(
                    "SELECT pg_advisory_unlock(hashtext('turnout.delivery.analysis'))")) {
                unlock.execute();
            }
        }
        awaitState(name, "ABORTED"); // this replica takes over, and judges the other replica's figures
        given().get("/api/models/{name}/rollouts/current", name).then()
                .body("outcome", containsString("10 errors in 40 requests"));
        try (Connection connection = db.getConnection();
             PreparedStatement decisions = connection.prepareStatement(
                     "SELECT count(*) FROM rollout_decision WHERE rollout_id = ? AND verdict = 'ABORT'")) {
            decisions.setLong(1, id);
            try (ResultSet rows = decisions.executeQuery()) {
                rows.next();
                assertEquals(1, rows.getInt(1), "aborted once");
            }
        }
    }

    private static void sendUntilEnded(String name, double x) throws InterruptedException {
        long deadline = System.nanoTime() + 30_000_000_000L;
        while (System.nanoTime() < deadline) {
            for (int i = 0; i < 10; i++) {
                predict(name, x, null);
            }
            String state = given().get("/api/models/{name}/rollouts/current", name).then().extract().path("state");
            if ("ABORTED".equals(state)) {
                return;
            }
            Thread.sleep(20);
        }
        throw new AssertionError("the rollout of " + name + " was not aborted");
    }
}
