package dev.turnout.evaluation;

import com.fasterxml.jackson.databind.JsonNode;
import dev.turnout.Api;
import dev.turnout.Fixtures;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static dev.turnout.evaluation.Evaluations.assertFigures;
import static dev.turnout.evaluation.Evaluations.classification;
import static dev.turnout.evaluation.Evaluations.evaluate;
import static dev.turnout.evaluation.Evaluations.reference;
import static dev.turnout.evaluation.Evaluations.uploadDataset;
import static dev.turnout.evaluation.Evaluations.uploadModel;
import static dev.turnout.evaluation.Evaluations.uploadVersion;
import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Evaluations over HTTP, with the real engines and database: the figures equal numpy's (reference.json) to 1e-6. */
@QuarkusTest
class EvaluationApiTest {

    @Test
    void aClassifierOnACsvDatasetGivesNumpysFiguresAndExposesThemAsVersionMetrics() {
        String dataset = Fixtures.uniqueName("golden");
        int dv = uploadDataset(dataset, "golden.csv");
        String model = Fixtures.uniqueName("eval");
        int version = uploadVersion(model, "classifier-strong.onnx");

        JsonPath evaluation = evaluate(model, version, classification(dataset, dv, null));

        assertEquals("DONE", evaluation.getString("state"), evaluation.prettify());
        assertEquals(240, evaluation.getLong("progress.rows_done"));
        assertEquals(240, evaluation.getLong("progress.rows_total"));
        assertEquals(0, evaluation.getLong("results.rows_refused"));
        JsonNode expected = reference("classifier-strong");
        assertFigures(expected.get("metrics"), evaluation.getMap("results.metrics"));
        expected.get("per_class").fields().forEachRemaining(c -> {
            Map<String, ?> actual = evaluation.getMap("results.per_class.'" + c.getKey() + "'");
            assertEquals(c.getValue().get("support").longValue(), ((Number) actual.get("support")).longValue());
            for (String figure : List.of("precision", "recall", "f1")) {
                assertEquals(c.getValue().get(figure).doubleValue(), ((Number) actual.get(figure)).doubleValue(), 1e-6);
            }
        });
        List<List<Integer>> matrix = new ArrayList<>();
        expected.get("confusion_matrix").forEach(row -> {
            List<Integer> line = new ArrayList<>();
            row.forEach(count -> line.add(count.intValue()));
            matrix.add(line);
        });
        assertEquals(matrix, evaluation.getList("results.confusion_matrix"));
        assertTrue(evaluation.getDouble("results.latency_ms.p99") >= evaluation.getDouble("results.latency_ms.p50"));

        Map<String, ?> metrics = given().get("/api/models/{name}/versions/{v}", model, version).then().statusCode(200)
                .extract().jsonPath().getMap("metrics");
        assertEquals(expected.get("metrics").get("recall").doubleValue(),
                ((Number) metrics.get("eval." + dataset + ".recall")).doubleValue(), 1e-6);
        assertEquals(dv, ((Number) metrics.get("eval." + dataset + ".dataset_version")).intValue());

        given().get("/api/models/{name}/versions/{v}/evaluations", model, version).then().statusCode(200)
                .body("size()", equalTo(1)).body("[0].id", equalTo(evaluation.getInt("id")))
                .body("[0].state", equalTo("DONE"));
    }

    @Test
    void jsonLinesMalformedRowsAndBinaryScores() {
        String jsonl = Fixtures.uniqueName("golden");
        int dv = uploadDataset(jsonl, "golden.jsonl");
        String model = Fixtures.uniqueName("eval");
        int fair = uploadVersion(model, "classifier-fair.onnx");
        JsonPath onJsonl = evaluate(model, fair, classification(jsonl, dv, null));
        assertEquals("DONE", onJsonl.getString("state"), onJsonl.prettify());
        assertFigures(reference("classifier-fair").get("metrics"), onJsonl.getMap("results.metrics"));

        String dirty = Fixtures.uniqueName("dirty");
        int dirtyVersion = uploadDataset(dirty, "golden-dirty.csv");
        JsonPath onDirty = evaluate(model, fair, classification(dirty, dirtyVersion, null));
        assertEquals("DONE", onDirty.getString("state"), onDirty.prettify());
        assertEquals(243, onDirty.getLong("results.rows"));
        assertEquals(3, onDirty.getLong("results.rows_refused"));
        List<String> reasons = onDirty.getList("results.refusals");
        assertEquals(3, reasons.size(), reasons.toString());
        assertTrue(reasons.get(1).contains("'abc'"), reasons.toString());
        assertTrue(reasons.get(2).contains("label column 'species' has no value"), reasons.toString());
        assertFigures(reference("classifier-fair").get("metrics"), onDirty.getMap("results.metrics"));

        String binary = Fixtures.uniqueName("clicks");
        int bv = uploadDataset(binary, "binary.csv");
        int logistic = uploadVersion(model, "binary.onnx");
        JsonPath onBinary = evaluate(model, logistic, classification(binary, bv, null).replace("species", "clicked"));
        assertEquals("DONE", onBinary.getString("state"), onBinary.prettify());
        assertFigures(reference("binary").get("metrics"), onBinary.getMap("results.metrics"));
    }

    @Test
    void comparedWithTheActiveVersionOnTheSameRows() {
        String dataset = Fixtures.uniqueName("regression");
        int dv = uploadDataset(dataset, "regression.csv");
        String model = Fixtures.uniqueName("eval");
        int v1 = uploadModel(model, "linear-v1.onnx");
        int v2 = uploadModel(model, "linear-v2.onnx");
        Api.activate(model, v1);

        JsonPath evaluation = evaluate(model, v2, "{\"dataset\": \"" + dataset + "\", \"dataset_version\": " + dv
                + ", \"task\": \"regression\", \"inputs\": {\"x\": [\"x1\"]}, \"label\": \"target\", "
                + "\"compare_with\": \"active\"}");

        assertEquals("DONE", evaluation.getString("state"), evaluation.prettify());
        assertEquals(v1, evaluation.getInt("settings.compare_with"));
        assertFigures(reference("linear-v2").get("metrics"), evaluation.getMap("results.metrics"));
        assertFigures(reference("linear-v1").get("metrics"), evaluation.getMap("results.compared.metrics"));
        assertEquals(0.0, evaluation.getDouble("results.compared.agreement"));

        String golden = Fixtures.uniqueName("golden");
        int gv = uploadDataset(golden, "golden.csv");
        String classifier = Fixtures.uniqueName("eval");
        int weak = uploadVersion(classifier, "classifier-weak.onnx");
        int strong = uploadVersion(classifier, "classifier-strong.onnx");
        JsonPath compared = evaluate(classifier, strong, classification(golden, gv, Integer.toString(weak)));
        assertFigures(reference("classifier-weak").get("metrics"), compared.getMap("results.compared.metrics"));
        JsonNode a = reference("classifier-strong").get("predicted");
        JsonNode b = reference("classifier-weak").get("predicted");
        int same = 0;
        for (int i = 0; i < a.size(); i++) {
            same += a.get(i).intValue() == b.get(i).intValue() ? 1 : 0;
        }
        assertEquals((double) same / a.size(), compared.getDouble("results.compared.agreement"), 1e-12);
    }

    @Test
    void theMappingIsCheckedAgainstTheSignatureBeforeAnythingRuns() {
        String dataset = Fixtures.uniqueName("golden");
        int dv = uploadDataset(dataset, "golden.csv");
        String model = Fixtures.uniqueName("eval");
        int version = uploadVersion(model, "classifier-fair.onnx");
        String path = "/api/models/{name}/versions/{v}/evaluations";

        given().contentType("application/json").body(classification(dataset, dv, null).replace("\"f4\"", ""))
                .post(path, model, version).then().statusCode(400);
        given().contentType("application/json").body(classification(dataset, dv, null).replace(", \"f4\"", ""))
                .post(path, model, version).then().statusCode(422).body("code", equalTo("SIGNATURE_MISMATCH"))
                .body("error", containsString("takes 4 value(s) per row, but 3 column(s)"));
        given().contentType("application/json").body(classification(dataset, dv, null).replace("\"f4\"", "\"f5\""))
                .post(path, model, version).then().statusCode(422).body("error", containsString("no column 'f5'"));
        given().contentType("application/json").body(classification(dataset, dv, null).replace("\"x\"", "\"input\""))
                .post(path, model, version).then().statusCode(422).body("error", containsString("no input 'input'"));
        given().contentType("application/json").body(classification(dataset, dv + 1, null))
                .post(path, model, version).then().statusCode(404);
        given().contentType("application/json").body(classification(dataset, dv, null).replace("classification", "ranking"))
                .post(path, model, version).then().statusCode(400).body("error", containsString("'task'"));
        given().contentType("application/json").body(classification(dataset, dv, "\"active\""))
                .post(path, model, version).then().statusCode(409).body("error", containsString("no active version"));
        given().contentType("application/json").body(classification(dataset, dv, null).replace("}", ", \"extra\": 1}"))
                .post(path, model, version).then().statusCode(400).body("error", containsString("unknown field"));
        given().get(path, model, version).then().statusCode(200).body("size()", equalTo(0));
        given().get(path + "/99999999", model, version).then().statusCode(404);
    }

    @Test
    void publishersCannotSendEvaluationMetrics() {
        String model = Fixtures.uniqueName("eval");
        given().multiPart("artifact", Fixtures.model("linear-v1.onnx")).multiPart("metrics", "{\"eval.golden.recall\": 1}")
                .post("/api/models/{name}/versions", model).then().statusCode(400)
                .body("error", containsString("written by evaluations only"));
        int version = uploadModel(model, "linear-v1.onnx");
        given().contentType("application/json").body("{\"metrics\": {\"eval.golden.recall\": null}}")
                .patch("/api/models/{name}/versions/{v}", model, version).then().statusCode(400);
    }
}
