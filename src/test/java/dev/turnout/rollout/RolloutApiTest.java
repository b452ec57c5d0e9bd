package dev.turnout.rollout;

import dev.turnout.Fixtures;
import dev.turnout.serving.ModelServer;
import dev.turnout.serving.ServedModel;
import io.agroal.api.AgroalDataSource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.ValidatableResponse;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

import static dev.turnout.Api.infer;
import static dev.turnout.Api.oipRequest;
import static dev.turnout.TestDb.execute;
import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.nullValue;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

@QuarkusTest
class RolloutApiTest {

    static final String X3 = oipRequest("x", "FP32", "[1, 1]", "[3.0]");

    @Inject
    ModelServer server;
    @Inject
    AgroalDataSource dataSource;

    static String modelWith(String... fixtures) {
        String name = Fixtures.uniqueName("rollout");
        for (String fixture : fixtures) {
            given().multiPart("artifact", Fixtures.model(fixture)).post("/api/models/{name}/versions", name)
                    .then().statusCode(201);
        }
        return name;
    }

    static ValidatableResponse flip(String name, String body) {
        return given().contentType("application/json").body(body).put("/api/models/{name}/active", name).then();
    }

    @Test
    void historyIsNewestFirstAndRollbackIsRecordedLikeAFlip() {
        String name = modelWith("linear-v1.onnx", "linear-v2.onnx");
        flip(name, "{\"version\": 1, \"reason\": \"first release\"}").statusCode(200);
        flip(name, "{\"version\": 2, \"reason\": \"better fit\"}").statusCode(200)
                .body("active_version", equalTo(2))
                .body("activation.version", equalTo(2))
                .body("activation.previous_version", equalTo(1));
        infer("/v2/models/" + name + "/infer", X3).then().body("outputs[0].data", contains(11.0f));

        given().get("/api/models/{name}/activations", name).then().statusCode(200)
                .body("version", contains(2, 1))
                .body("previous_version", contains(1, null))
                .body("reason", contains("better fit", "first release"))
                .body("actor", contains("anonymous (security disabled)", "anonymous (security disabled)"))
                .body("kind", contains("activate", "activate"));

        given().contentType("application/json").body("{\"reason\": \"v2 misbehaves\"}")
                .post("/api/models/{name}/rollback", name).then().statusCode(200)
                .body("active_version", equalTo(1))
                .body("activation.kind", equalTo("rollback"));
        infer("/v2/models/" + name + "/infer", X3).then().header("X-Turnout-Model-Version", "1")
                .body("outputs[0].data", contains(7.0f));
        given().get("/api/models/{name}/activations?limit=1", name).then()
                .body("version", contains(1)).body("previous_version", contains(2))
                .body("kind", contains("rollback")).body("reason", contains("v2 misbehaves"));
    }

    @Test
    void rollbackNeedsSomethingToGoBackTo() {
        String name = modelWith("linear-v1.onnx");
        given().post("/api/models/{name}/rollback", name).then().statusCode(409).body("error", containsString("never"));
        flip(name, "{\"version\": 1}").statusCode(200);
        given().post("/api/models/{name}/rollback", name).then().statusCode(409)
                .body("error", containsString("had no active version"));
        given().post("/api/models/no-such-model/rollback").then().statusCode(404);
    }

    @Test
    void deactivationTakesTheModelOutOfServiceAndARollbackBringsItBack() {
        String name = modelWith("linear-v1.onnx");
        flip(name, "{\"version\": 1}").statusCode(200);
        infer("/v2/models/" + name + "/infer", X3).then().statusCode(200);

        given().contentType("application/json").body("{\"reason\": \"retired\"}")
                .delete("/api/models/{name}/active?wait=10s", name).then().statusCode(200)
                .body("active_version", nullValue())
                .body("activation.kind", equalTo("deactivate"))
                .body("activation.version", nullValue())
                .body("activation.previous_version", equalTo(1))
                .body("replicas.serving", contains((Object) null));
        assertFalse(server.isLoaded(name, null), "this replica unloaded it");
        infer("/v2/models/" + name + "/infer", X3).then().statusCode(404)
                .body("error", containsString("has no active version"));
        given().delete("/api/models/{name}/active", name).then().statusCode(409)
                .body("error", containsString("nothing to deactivate"));
        given().contentType("application/json").body("{\"why\": 1}").delete("/api/models/{name}/active", name)
                .then().statusCode(400);
        given().delete("/api/models/no-such-model/active").then().statusCode(404);

        given().post("/api/models/{name}/rollback?wait=10s", name).then().statusCode(200)
                .body("active_version", equalTo(1))
                .body("activation.previous_version", nullValue());
        infer("/v2/models/" + name + "/infer", X3).then().statusCode(200).body("outputs[0].data", contains(7.0f));
        given().get("/api/models/{name}/activations", name).then()
                .body("kind", contains("rollback", "deactivate", "activate"))
                .body("version", contains(1, null, 1))
                .body("reason", contains(null, "retired", null));
    }

    @Test
    void anInputIncompatibleVersionNeedsForce() {
        String name = modelWith("linear-v1.onnx", "mlp.onnx"); // x: [-1, 1] then x: [-1, 4]
        flip(name, "{\"version\": 1}").statusCode(200);
        flip(name, "{\"version\": 2}").statusCode(409).body("code", equalTo("CONFLICT"))
                .body("error", containsString("not input-compatible")).body("error", containsString("\"force\": true"));
        infer("/v2/models/" + name + "/infer", X3).then().body("outputs[0].data", contains(7.0f));
        flip(name, "{\"version\": 2, \"force\": true, \"reason\": \"new features\"}").statusCode(200)
                .body("activation.forced", equalTo(true));
    }

    @Test
    void metricGuardsRefuseVersionsBelowOrWithoutTheMetric() {
        String name = Fixtures.uniqueName("guarded");
        for (String metrics : List.of("{\"accuracy\": 0.95}", "{\"accuracy\": 0.85}", "{\"rmse\": 0.1}")) {
            given().multiPart("artifact", Fixtures.model("linear-v1.onnx")).multiPart("metrics", metrics)
                    .post("/api/models/{name}/versions", name).then().statusCode(201);
        }
        flip(name, "{\"version\": 1, \"require\": [\"accuracy >= 0.9\"]}").statusCode(200);
        flip(name, "{\"version\": 2, \"require\": [\"accuracy >= 0.9\"]}").statusCode(409)
                .body("error", containsString("accuracy = 0.85"));
        flip(name, "{\"version\": 3, \"require\": [\"accuracy >= 0.9\"]}").statusCode(409)
                .body("error", containsString("no metric 'accuracy'"));
        flip(name, "{\"version\": 3, \"require\": [\"accuracy is good\"]}").statusCode(400)
                .body("error", containsString("'<metric> <op> <number>'"));
        flip(name, "{\"version\": 3, \"require\": \"accuracy >= 0.9\"}").statusCode(400);
        given().get("/api/models/{name}", name).then().body("active_version", equalTo(1));
        given().get("/api/models/{name}/activations", name).then().body("version", contains(1));
    }

    @Test
    void configuredGuardsApplyUnlessForced() {
        // the test profile sets turnout.rollout.guards.configured-guard=recall >= 0.5
        String name = "configured-guard";
        given().multiPart("artifact", Fixtures.model("linear-v1.onnx")).multiPart("metrics", "{\"recall\": 0.2}")
                .post("/api/models/{name}/versions", name).then().statusCode(201);
        int version = given().get("/api/models/{name}", name).then().extract().path("latest_version");
        flip(name, "{\"version\": " + version + "}").statusCode(409).body("error", containsString("recall"));
        flip(name, "{\"version\": " + version + ", \"force\": true}").statusCode(200);
    }

    @Test
    void concurrentFlipsFormASingleLine() throws Exception {
        String name = modelWith("linear-v1.onnx", "linear-v2.onnx");
        int flips = 8;
        CountDownLatch start = new CountDownLatch(1);
        ExecutorService pool = Executors.newFixedThreadPool(flips);
        try {
            List<CompletableFuture<Integer>> statuses = new ArrayList<>();
            for (int i = 0; i < flips; i++) {
                int version = 1 + i % 2;
                statuses.add(CompletableFuture.supplyAsync(() -> {
                    try {
                        start.await();
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                    return given().contentType("application/json").body("{\"version\": " + version + "}")
                            .put("/api/models/{name}/active", name).statusCode();
                }, pool));
            }
            start.countDown();
            statuses.forEach(status -> assertTrue(List.of(200, 202).contains(status.join())));
        } finally {
            pool.shutdownNow();
        }
        List<Integer> versions = given().get("/api/models/{name}/activations", name).then().extract().path("version");
        List<Integer> previous = given().get("/api/models/{name}/activations", name).then().extract().path("previous_version");
        for (int i = 0; i + 1 < versions.size(); i++) {
            assertEquals(versions.get(i + 1), previous.get(i), "each flip starts where the one before it ended");
        }
        assertEquals(null, previous.get(previous.size() - 1));
        given().get("/api/models/{name}", name).then().body("active_version", equalTo(versions.get(0)));
    }

    @Test
    void waitAnswers200WhenEveryLiveReplicaServesAnd202WhenTimeRunsOut() throws Exception {
        String name = modelWith("linear-v1.onnx", "linear-v2.onnx");
        given().contentType("application/json").body("{\"version\": 1}")
                .put("/api/models/{name}/active?wait=10s", name).then().statusCode(200)
                .body("replicas", hasSize(1))
                .body("replicas[0].serving", equalTo(1))
                .body("replicas[0].state", equalTo("SERVING"));
        given().get("/api/models/{name}", name).then().body("replicas[0].serving", equalTo(1));

        // a replica that is alive but never loads anything
        execute(dataSource, "INSERT INTO replica (id) VALUES ('silent-replica')");
        try {
            given().contentType("application/json").body("{\"version\": 2}")
                    .put("/api/models/{name}/active?wait=1s", name).then().statusCode(202)
                    .body("replicas.find { it.replica == 'silent-replica' }.state", nullValue())
                    .body("replicas.find { it.replica != 'silent-replica' }.serving", equalTo(2));
        } finally {
            execute(dataSource, "DELETE FROM replica WHERE id = 'silent-replica'");
        }
        given().contentType("application/json").body("{\"version\": 1}")
                .put("/api/models/{name}/active?wait=forever", name).then().statusCode(400)
                .body("error", containsString("30s"));
        given().contentType("application/json").body("{\"version\": 1}")
                .put("/api/models/{name}/active?wait=10m", name).then().statusCode(400)
                .body("error", containsString("turnout.rollout.max-wait"));
    }

    @Test
    void malformedFlips() {
        String name = modelWith("linear-v1.onnx");
        flip(name, "{\"version\": 7}").statusCode(404).body("error", containsString("no version 7"));
        flip(name, "{\"version\": \"1\"}").statusCode(400).body("error", containsString("whole number"));
        for (String number : new String[] {"1.5", "1e-1", "15e-1"}) { // fractions, however written
            flip(name, "{\"version\": " + number + "}").statusCode(400).body("code", equalTo("INVALID_ARGUMENT"))
                    .body("error", containsString("'version'")).body("error", containsString("whole number"));
        }
        flip(name, "{\"version\": 1, \"colour\": \"green\"}").statusCode(400).body("error", containsString("colour"));
        flip(name, "{\"version\": 1, \"force\": \"yes\"}").statusCode(400);
        flip(name, "not json").statusCode(400);
        flip("no-such-model", "{\"version\": 1}").statusCode(404);
        given().contentType("text/plain").body("1").put("/api/models/{name}/active", name).then().statusCode(415);
        given().get("/api/models/{name}/activations?limit=0", name).then().statusCode(400);
        given().get("/api/models/{name}/activations?limit=ten", name).then().statusCode(400)
                .body("code", equalTo("INVALID_ARGUMENT")).body("error", containsString("'limit'"));
    }

    @Test
    void reasonsThatCannotBeStoredAreRefusedAndRecordNothing() {
        String name = modelWith("linear-v1.onnx", "linear-v2.onnx");
        flip(name, "{\"version\": 1}").statusCode(200);
        // U+0000 PostgreSQL cannot hold (was a 500); half a surrogate pair UTF-8 cannot encode (was stored as '?')
        for (String reason : new String[] {"a\\u0000b", "a\\ud800b"}) {
            String body = "{\"reason\": \"" + reason + "\"}";
            flip(name, "{\"version\": 2, \"reason\": \"" + reason + "\"}").statusCode(400)
                    .contentType("application/json").body("code", equalTo("INVALID_ARGUMENT"))
                    .body("error", containsString("'reason'"));
            given().contentType("application/json").body(body).post("/api/models/{name}/rollback", name).then()
                    .statusCode(400).body("code", equalTo("INVALID_ARGUMENT")).body("error", containsString("'reason'"));
            given().contentType("application/json").body(body).delete("/api/models/{name}/active", name).then()
                    .statusCode(400).body("code", equalTo("INVALID_ARGUMENT")).body("error", containsString("'reason'"));
        }
        given().get("/api/models/{name}", name).then().statusCode(200).body("active_version", equalTo(1));
        given().get("/api/models/{name}/activations", name).then().statusCode(200).body("", hasSize(1))
                .body("[0].kind", equalTo("activate")).body("[0].version", equalTo(1));
    }

    @Test
    void theActiveVersionCannotBeDeleted() {
        String name = modelWith("linear-v1.onnx", "linear-v2.onnx");
        flip(name, "{\"version\": 2}").statusCode(200);
        given().delete("/api/models/{name}/versions/2", name).then().statusCode(409)
                .body("error", containsString("active version"));
        given().delete("/api/models/{name}/versions/1", name).then().statusCode(204);
    }

    @Test
    void warmUpRunsBeforeTheSwapAndTheOldVersionDrains() throws Exception {
        String name = modelWith("linear-v1.onnx", "linear-v2.onnx");
        flip(name, "{\"version\": 1}").statusCode(200);
        ServedModel first = server.servedActive(name).orElseThrow();

        // an in-flight request on version 1, still running when the flip happens
        ServedModel.Lease inFlight = server.lease(name);
        flip(name, "{\"version\": 2}").statusCode(200);

        ServedModel second = server.servedActive(name).orElseThrow();
        assertEquals(2, second.version());
        assertEquals(3, second.inferences(), "the warm-up inferences ran before version 2 took any traffic");
        infer("/v2/models/" + name + "/infer", X3).then().header("X-Turnout-Model-Version", "2");

        assertFalse(first.isClosed(), "version 1 waits for its in-flight request");
        var outputs = inFlight.predict(new dev.turnout.engine.Tensor[] {new dev.turnout.engine.Tensor("x",
                dev.turnout.engine.DataType.FP32, new long[] {1, 1}, new float[] {3f})});
        assertArrayEquals(new float[] {7f}, (float[]) outputs[0].data(), "the in-flight request completes on version 1");
        inFlight.close();
        assertTrue(first.isClosed(), "version 1 is unloaded once drained");
    }
}
