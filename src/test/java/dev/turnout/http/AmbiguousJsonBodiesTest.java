package dev.turnout.http;

import dev.turnout.Fixtures;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.ValidatableResponse;
import org.junit.jupiter.api.Test;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.anEmptyMap;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasSize;

/**
 * Every management body that is JSON refuses what it cannot read unambiguously: a key given twice (which one did the
 * client mean?) and a second value after the first (was it meant to be applied too?). Before, the last of a repeated
 * key won silently — {"version": 1, "version": 2} flipped to 2 — and whatever followed the first value was ignored.
 * Each refusal is a 400 naming the problem, and changes nothing.
 */
@QuarkusTest
class AmbiguousJsonBodiesTest {

    private static final String JSON = "application/json";

    private static void ambiguous(ValidatableResponse response, String what) {
        try {
            response.statusCode(400).contentType(JSON).body("code", equalTo("INVALID_ARGUMENT"))
                    .body("error", containsString("not valid JSON"));
        } catch (AssertionError e) {
            throw new AssertionError(what + ": " + e.getMessage(), e);
        }
    }

    /** A model with versions 1 and 2, version 1 active. */
    private static String twoVersions() {
        String name = Fixtures.uniqueName("ambiguous");
        given().multiPart("artifact", Fixtures.model("linear-v1.onnx")).post("/api/models/{name}/versions", name)
                .then().statusCode(201);
        given().multiPart("artifact", Fixtures.model("linear-v2.onnx")).post("/api/models/{name}/versions", name)
                .then().statusCode(201);
        given().contentType(JSON).body("{\"version\": 1}").put("/api/models/{name}/active?wait=30s", name)
                .then().statusCode(200);
        return name;
    }

    private static ValidatableResponse flip(String name, String body) {
        return given().contentType(JSON).body(body).put("/api/models/{name}/active", name).then();
    }

    @Test
    void flipRollbackAndDeactivateRefuseRepeatedKeysAndTrailingValues() {
        String name = twoVersions();
        ambiguous(flip(name, "{\"version\": 1, \"version\": 2}"), "repeated version");
        ambiguous(flip(name, "{\"version\": 2, \"reason\": \"a\", \"reason\": \"b\"}"), "repeated reason");
        ambiguous(flip(name, "{\"version\": 1} {\"version\": 2}"), "a second object");
        ambiguous(flip(name, "{\"version\": 2} trailing"), "trailing text");
        ambiguous(given().contentType(JSON).body("{\"reason\": \"a\", \"reason\": \"b\"}")
                .post("/api/models/{name}/rollback", name).then(), "rollback with a repeated reason");
        ambiguous(given().contentType(JSON).body("{\"reason\": \"a\"} {}")
                .delete("/api/models/{name}/active", name).then(), "deactivate with a second object");
        given().get("/api/models/{name}", name).then().statusCode(200).body("active_version", equalTo(1));
        given().get("/api/models/{name}/activations", name).then().statusCode(200).body("", hasSize(1));
    }

    @Test
    void versionMetadataRefusesRepeatedKeysAndTrailingValues() {
        String name = twoVersions();
        ambiguous(given().contentType(JSON).body("{\"description\": \"a\", \"description\": \"b\"}")
                .patch("/api/models/{name}/versions/1", name).then(), "PATCH with a repeated description");
        ambiguous(given().contentType(JSON).body("{\"metrics\": {\"rmse\": 0.1, \"rmse\": 0.9}}")
                .patch("/api/models/{name}/versions/1", name).then(), "PATCH with a repeated metric");
        ambiguous(given().contentType(JSON).body("{\"tags\": {\"team\": \"a\"}} {\"tags\": {\"team\": \"b\"}}")
                .patch("/api/models/{name}/versions/1", name).then(), "PATCH with a second object");
        given().get("/api/models/{name}/versions/1", name).then().statusCode(200)
                .body("metrics", anEmptyMap()).body("tags", anEmptyMap());
        // the upload's JSON form fields: nothing is stored
        ambiguous(given().multiPart("artifact", Fixtures.uniqueOnnx("linear-v2.onnx"))
                .multiPart("metrics", "{\"accuracy\": 0.5, \"accuracy\": 0.9}")
                .post("/api/models/{name}/versions", name).then(), "upload with a repeated metric");
        ambiguous(given().multiPart("artifact", Fixtures.uniqueOnnx("linear-v2.onnx"))
                .multiPart("tags", "{\"team\": \"a\"} []")
                .post("/api/models/{name}/versions", name).then(), "upload with a trailing value in tags");
        given().get("/api/models/{name}/versions", name).then().statusCode(200).body("", hasSize(2));
    }

    @Test
    void evaluationAndStoreCopyRefuseRepeatedKeys() {
        String name = twoVersions();
        String evaluation = "{\"dataset\": \"golden\", \"dataset_version\": 1, \"task\": \"regression\", "
                + "\"inputs\": {\"x\": [\"x\"]}, \"label\": \"y\", \"label\": \"z\"}";
        ambiguous(given().contentType(JSON).body(evaluation)
                .post("/api/models/{name}/versions/2/evaluations", name).then(), "evaluation with a repeated label");
        given().get("/api/models/{name}/versions/2/evaluations", name).then().statusCode(200).body("", hasSize(0));
        ambiguous(given().contentType(JSON).body("{\"from\": \"postgres\", \"to\": \"postgres\", \"to\": \"s3\"}")
                .post("/api/artifacts/copy").then(), "store copy with a repeated 'to'");
    }
}
