package dev.turnout.evaluation;

import dev.turnout.Api;
import dev.turnout.Fixtures;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.ValidatableResponse;
import org.junit.jupiter.api.Test;

import static dev.turnout.evaluation.Evaluations.classification;
import static dev.turnout.evaluation.Evaluations.evaluate;
import static dev.turnout.evaluation.Evaluations.uploadDataset;
import static dev.turnout.evaluation.Evaluations.uploadVersion;
import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** Flips gated on evaluation figures: absolute ("recall >= 0.85") and relative to the active version's evaluation. */
@QuarkusTest
class EvaluationGuardTest {

    static ValidatableResponse flip(String model, int version, String... guards) {
        String require = String.join("\", \"", guards);
        return given().contentType("application/json")
                .body("{\"version\": " + version + ", \"require\": [\"" + require + "\"]}")
                .put("/api/models/{name}/active", model).then();
    }

    @Test
    void theGuardRefusesAWorseVersionAndLetsABetterOneThrough() {
        String dataset = Fixtures.uniqueName("golden");
        int dv = uploadDataset(dataset, "golden.csv");
        String model = Fixtures.uniqueName("guarded");
        int fair = uploadVersion(model, "classifier-fair.onnx");
        int weak = uploadVersion(model, "classifier-weak.onnx");
        int strong = uploadVersion(model, "classifier-strong.onnx");
        int unevaluated = uploadVersion(model, "classifier-fair.onnx");
        String body = classification(dataset, dv, null);
        assertEquals("DONE", evaluate(model, fair, body).getString("state"));
        Api.activate(model, fair);
        String relative = "eval." + dataset + ".accuracy >= active - 0.005";
        String recall = "eval." + dataset + ".recall >= 0.85";

        assertEquals("DONE", evaluate(model, weak, body).getString("state"));
        flip(model, weak, relative).statusCode(409).body("error", containsString("fails the guard '" + relative + "'"))
                .body("error", containsString("(active version " + fair + " has 0.77"));
        flip(model, weak, recall).statusCode(409).body("error", containsString("fails the guard"));

        assertEquals("DONE", evaluate(model, strong, body).getString("state"));
        flip(model, strong, relative, recall).statusCode(200).body("active_version", equalTo(strong));

        flip(model, unevaluated, relative).statusCode(409)
                .body("error", containsString("version " + unevaluated + " has no metric 'eval." + dataset + ".accuracy'"))
                .body("error", containsString("evaluate version " + unevaluated + " on dataset '" + dataset
                        + "' version " + dv + " first (POST /api/models/" + model + "/versions/" + unevaluated
                        + "/evaluations)"));

        int newer = uploadDataset(dataset, "golden-dirty.csv");
        assertEquals("DONE", evaluate(model, unevaluated, classification(dataset, newer, null)).getString("state"));
        flip(model, unevaluated, relative).statusCode(409)
                .body("error", containsString("evaluate active version " + strong + " on '" + dataset + "' version "
                        + newer));
    }
}
