package dev.turnout.security;

import dev.turnout.Fixtures;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.response.Response;
import io.restassured.specification.RequestSpecification;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** Security on, as in production: every endpoint answers 401 without a token and 403 with the wrong role. */
@QuarkusTest
@TestProfile(SecuredApiTest.Secured.class)
class SecuredApiTest {

    static final Map<String, String> TOKENS = Map.of(
            "publisher", "pub-token-1", "operator", "op-token-2", "viewer", "view-token-3", "predictor", "pred-token-4");

    public static class Secured implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            Map<String, String> config = new java.util.HashMap<>(Map.of(
                    "turnout.security.enabled", "true",
                    "turnout.security.predictions-require-token", "true"));
            TOKENS.forEach((role, token) -> {
                config.put("turnout.security.tokens." + role + ".sha256", sha256(token));
                config.put("turnout.security.tokens." + role + ".roles", role);
            });
            return config;
        }
    }

    static String sha256(String token) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.UTF_8)));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    static RequestSpecification as(String role) {
        var request = given().urlEncodingEnabled(false);
        return role == null ? request : request.header("Authorization", "Bearer " + TOKENS.getOrDefault(role, role));
    }

    static String name;

    @BeforeEach
    void model() {
        if (name != null) {
            return;
        }
        name = Fixtures.uniqueName("secured");
        as("publisher").multiPart("artifact", Fixtures.model("linear-v1.onnx")).post("/api/models/" + name + "/versions")
                .then().statusCode(201);
        as("publisher").multiPart("artifact", Fixtures.model("linear-v2.onnx")).post("/api/models/" + name + "/versions")
                .then().statusCode(201);
        as("operator").contentType("application/json").body("{\"version\": 1, \"reason\": \"first\"}")
                .put("/api/models/" + name + "/active").then().statusCode(200);
    }

    record Call(String label, String allowed, Function<RequestSpecification, Response> send) {
    }

    static List<Call> calls() {
        String oip = "{\"inputs\":[{\"name\":\"x\",\"datatype\":\"FP32\",\"shape\":[1,1],\"data\":[3.0]}]}";
        String model = "/api/models/" + name;
        return List.of(
                new Call("upload", "publisher", r -> r.multiPart("artifact", Fixtures.model("linear-v1.onnx"))
                        .post(model + "/versions")),
                new Call("patch", "publisher", r -> r.contentType("application/json").body("{\"tags\": {\"a\": \"b\"}}")
                        .patch(model + "/versions/1")),
                new Call("flip", "operator", r -> r.contentType("application/json").body("{\"version\": 1}")
                        .put(model + "/active")),
                new Call("rollback", "operator", r -> r.post(model + "/rollback")),
                new Call("start rollout", "operator", r -> r.contentType("application/json")
                        .body("{\"version\": 99, \"steps\": [5], \"step_duration\": \"1h\"}").post(model + "/rollouts")),
                new Call("promote rollout", "operator", r -> r.post(model + "/rollouts/current/promote")),
                new Call("abort rollout", "operator", r -> r.post(model + "/rollouts/current/abort")),
                new Call("pause rollout", "operator", r -> r.post(model + "/rollouts/current/pause")),
                new Call("resume rollout", "operator", r -> r.post(model + "/rollouts/current/resume")),
                new Call("current rollout", "viewer", r -> r.get(model + "/rollouts/current")),
                new Call("list rollouts", "viewer", r -> r.get(model + "/rollouts")),
                new Call("deactivate", "operator", r -> r.delete(model + "-never-active/active")),
                new Call("delete", "operator", r -> r.delete(model + "/versions/99")),
                new Call("delete model", "operator", r -> r.delete(model + "-never-created")),
                new Call("list models", "viewer", r -> r.get("/api/models")),
                new Call("get model", "viewer", r -> r.get(model)),
                new Call("list versions", "viewer", r -> r.get(model + "/versions")),
                new Call("get version", "viewer", r -> r.get(model + "/versions/1")),
                new Call("download", "viewer", r -> r.get(model + "/versions/1/artifact")),
                new Call("history", "viewer", r -> r.get(model + "/activations")),
                new Call("oip infer", "predictor", r -> r.contentType("application/json").body(oip)
                        .post("/v2/models/" + name + "/infer")),
                new Call("oip metadata", "predictor", r -> r.get("/v2/models/" + name)),
                new Call("oip version metadata", "predictor", r -> r.get("/v2/models/" + name + "/versions/1")),
                new Call("oip model ready", "predictor", r -> r.get("/v2/models/" + name + "/ready")),
                new Call("oip version ready", "predictor", r -> r.get("/v2/models/" + name + "/versions/1/ready")),
                new Call("tf predict", "predictor", r -> r.contentType("application/json").body("{\"instances\": [[3.0]]}")
                        .post("/v1/models/" + name + ":predict")),
                new Call("tf status", "predictor", r -> r.get("/v1/models/" + name)),
                new Call("upload dataset", "publisher", r -> r.multiPart("data", "d.csv",
                        "a\n1\n".getBytes(StandardCharsets.UTF_8)).post("/api/datasets/" + name + "/versions")),
                new Call("list datasets", "viewer", r -> r.get("/api/datasets")),
                new Call("list dataset versions", "viewer", r -> r.get("/api/datasets/" + name + "/versions")),
                new Call("get dataset version", "viewer", r -> r.get("/api/datasets/" + name + "/versions/1")),
                new Call("download dataset", "viewer", r -> r.get("/api/datasets/" + name + "/versions/1/data")),
                new Call("delete dataset version", "operator", r -> r.delete("/api/datasets/" + name + "/versions/99")));
    }

    @Test
    void withoutATokenEveryEndpointAnswers401() {
        for (Call call : calls()) {
            Response response = call.send().apply(as(null));
            assertEquals(401, response.statusCode(), call.label());
            response.then().contentType("application/json").body("code", equalTo("UNAUTHENTICATED"))
                    .header("WWW-Authenticate", containsString("Bearer"));
        }
    }

    @Test
    void anUnknownTokenIs401() {
        for (Call call : calls()) {
            assertEquals(401, call.send().apply(as("not-a-configured-token")).statusCode(), call.label());
        }
    }

    @Test
    void theWrongRoleIs403AndTheRightOneGetsThrough() {
        for (Call call : calls()) {
            for (String role : TOKENS.keySet()) {
                int status = call.send().apply(as(role)).statusCode();
                boolean reads = call.allowed().equals("viewer") && !role.equals("predictor");
                if (role.equals(call.allowed()) || reads) {
                    assertEquals(true, status != 401 && status != 403, call.label() + " as " + role + ": " + status);
                } else {
                    assertEquals(403, status, call.label() + " as " + role);
                }
            }
        }
    }

    @Test
    void theHistoryRecordsTheAuthenticatedActor() {
        as("operator").contentType("application/json").body("{\"version\": 2, \"reason\": \"audited\"}")
                .put("/api/models/" + name + "/active").then().statusCode(200);
        as("viewer").get("/api/models/" + name + "/activations").then().statusCode(200)
                .body("[0].actor", equalTo("operator")).body("[0].reason", equalTo("audited"));
    }

    @Test
    void healthStaysOpen() {
        dev.turnout.Api.management().get("/q/health/live").then().statusCode(200);
        given().get("/v2/health/live").then().statusCode(200);
    }
}
