package dev.turnout.serving;

import dev.turnout.Fixtures;
import dev.turnout.PostgresBlobRows;
import dev.turnout.config.TurnoutConfig;
import dev.turnout.engine.ModelLoader;
import dev.turnout.error.ErrorCode;
import dev.turnout.error.TurnoutException;
import dev.turnout.registry.Digests;
import dev.turnout.registry.RegistryService;
import io.agroal.api.AgroalDataSource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static dev.turnout.Api.activate;
import static dev.turnout.Api.infer;
import static dev.turnout.Api.oipRequest;
import static dev.turnout.Api.uploadAndActivate;
import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static java.lang.Thread.sleep;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Loading, readiness and integrity, with the real database, disk cache and engines. */
@QuarkusTest
class ModelServerTest {

    @Inject
    RegistryService registry;
    @Inject
    ArtifactCache cache;
    @Inject
    ModelLoader loader;
    @Inject
    TurnoutConfig config;
    @Inject
    AgroalDataSource dataSource;
    /** This JVM's own warm-up (its HTTP stack serves the CDI ModelServer, not the replicas made here): done first. */
    @Inject
    RequestPathWarmup warmup;

    @Test
    void readinessIsDownUntilEveryActiveVersionIsLoaded() throws InterruptedException {
        String name = uploadAndActivate(Fixtures.uniqueName("ready"), Fixtures.model("mlp.onnx"));
        // A second, fresh replica in this JVM: not ready before its initial load, ready after it.
        ModelServer replica = new ModelServer(registry, cache, loader, config, null, null);
        for (int i = 0; i < 300 && !warmup.done(); i++) {
            sleep(100);
        }
        assertTrue(warmup.done(), warmup.detail());
        try {
            HealthCheckResponse before = new ServingReadiness(replica, warmup).call();
            assertEquals(HealthCheckResponse.Status.DOWN, before.getStatus());
            assertEquals("not started", before.getData().orElseThrow().get("detail"));

            replica.initialLoad();

            HealthCheckResponse after = new ServingReadiness(replica, warmup).call();
            assertEquals(HealthCheckResponse.Status.UP, after.getStatus());
            assertEquals(1L, after.getData().orElseThrow().get("serving." + name));
            // every active version was attempted: loaded, or (another test's tampered artifact) reported as failed
            var data = after.getData().get();
            long failed = data.keySet().stream().filter(key -> key.startsWith("failed.")).count();
            assertEquals(data.get("total"), (Long) data.get("loaded") + failed);
        } finally {
            replica.stop(null);
        }
    }

    @Test
    void aModelActivatedButNotLoadedHereYetIs503NotA404() {
        ModelServer replica = new ModelServer(registry, cache, loader, config, null, null);
        try {
            replica.initialLoad(); // a replica that has not heard of the flip below yet
            String name = uploadAndActivate(Fixtures.uniqueName("loading"), Fixtures.model("linear-v1.onnx"));

            TurnoutException refusal = assertThrows(TurnoutException.class, () -> replica.lease(name));
            assertEquals(ErrorCode.UNAVAILABLE, refusal.code(), refusal.getMessage());
            assertTrue(refusal.getMessage().contains("version 1"), refusal.getMessage());
        } finally {
            replica.stop(null);
        }
    }

    @Test
    void bytesThatDoNotMatchTheirDigestAreNeverLoaded() throws Exception {
        String name = uploadAndActivate(Fixtures.uniqueName("tampered"), Fixtures.uniqueOnnx("linear-v1.onnx"));
        String sha2 = given().multiPart("artifact", Fixtures.uniqueOnnx("linear-v2.onnx"))
                .post("/api/models/{name}/versions", name).then().statusCode(201).extract().path("sha256");
        PostgresBlobRows.corrupt(dataSource, sha2);

        String request = oipRequest("x", "FP32", "[1, 1]", "[3.0]");
        infer("/v2/models/" + name + "/versions/2/infer", request).then().statusCode(503)
                .header("Retry-After", "1")
                .body("error", containsString("hash to"));

        // the pointer moves, but this replica cannot load version 2: 202, with the failure per replica ...
        given().contentType("application/json").body("{\"version\": 2}").put("/api/models/{name}/active", name)
                .then().statusCode(202)
                .body("active_version", equalTo(2))
                .body("replicas[0].state", equalTo("FAILED"))
                .body("replicas[0].serving", equalTo(1))
                .body("replicas[0].target", equalTo(2))
                .body("replicas[0].error", containsString("hash to"));
        infer("/v2/models/" + name + "/infer", request).then().statusCode(200)
                .header("X-Turnout-Model-Version", "1") // ... so version 1 keeps serving
                .body("outputs[0].data", contains(7.0f));
        given().get("/v1/models/{name}", name).then().statusCode(200)
                .body("model_version_status.find { it.state == 'LOADING' }.version", equalTo("2"))
                .body("model_version_status.find { it.state == 'LOADING' }.status.error_message", containsString("hash to"));
        dev.turnout.Api.management().get("/q/health/ready").then().body("checks.find { it.name == 'Active models loaded' }.data.'failed."
                + name + "'", containsString("version 2"));
    }

    /**
     * After a failed load readiness tells one story: a model whose target failed is not counted as loaded (its old
     * version may still serve), and the detail names it, from the current state rather than the startup snapshot.
     */
    @Test
    void readinessAfterAFailedLoadCountsItAsNotLoaded() throws Exception {
        String name = uploadAndActivate(Fixtures.uniqueName("broken"), Fixtures.uniqueOnnx("linear-v1.onnx"));
        String sha2 = given().multiPart("artifact", Fixtures.uniqueOnnx("linear-v2.onnx"))
                .post("/api/models/{name}/versions", name).then().statusCode(201).extract().path("sha256");
        PostgresBlobRows.corrupt(dataSource, sha2);
        given().contentType("application/json").body("{\"version\": 2}").put("/api/models/{name}/active", name)
                .then().statusCode(202);

        Map<String, Object> data = dev.turnout.Api.management().get("/q/health/ready").then().extract().jsonPath()
                .getMap("checks.find { it.name == 'Active models loaded' }.data");
        List<String> failed = data.keySet().stream().filter(key -> key.startsWith("failed."))
                .map(key -> key.substring("failed.".length())).sorted().toList();
        assertTrue(failed.contains(name), () -> "no failed." + name + " in " + data);
        int loaded = ((Number) data.get("loaded")).intValue();
        int total = ((Number) data.get("total")).intValue();
        assertEquals(total, loaded + failed.size(), () -> "loaded and failed do not add up: " + data);
        assertEquals(loaded + " of " + total + " loaded; failed: " + failed, data.get("detail"));
        assertEquals(1, data.get("serving." + name)); // version 1 keeps serving meanwhile
    }

    @Test
    void aCorruptedCacheFileIsFetchedAgain() throws Exception {
        String name = Fixtures.uniqueName("cache");
        var artifact = Fixtures.uniqueOnnx("linear-v1.onnx");
        String sha = given().multiPart("artifact", artifact).post("/api/models/{name}/versions", name)
                .then().statusCode(201).extract().path("sha256");
        Path cached = config.dataDir().resolve("cache").resolve(sha + ".onnx");
        Files.createDirectories(cached.getParent());
        Files.writeString(cached, "not the model"); // a bad disk, or someone meddling

        activate(name, 1);
        infer("/v2/models/" + name + "/infer", oipRequest("x", "FP32", "[1, 1]", "[3.0]")).then().statusCode(200)
                .body("outputs[0].data", contains(7.0f));
        assertEquals(sha, Digests.sha256(cached));
        assertTrue(Files.size(cached) > 100);
    }
}
