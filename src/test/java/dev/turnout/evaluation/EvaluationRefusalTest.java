package dev.turnout.evaluation;

import dev.turnout.Fixtures;
import io.agroal.api.AgroalDataSource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static dev.turnout.TestDb.count;
import static dev.turnout.evaluation.Evaluations.classification;
import static dev.turnout.evaluation.Evaluations.uploadDataset;
import static dev.turnout.evaluation.Evaluations.uploadVersion;
import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Evaluation requests a hostile client sends, and races with deletions, over HTTP against the real database: each is
 * a 4xx with a JSON message, never a 500, and queues nothing.
 */
@QuarkusTest
class EvaluationRefusalTest {

    static final String PATH = "/api/models/{name}/versions/{v}/evaluations";

    @Inject
    AgroalDataSource dataSource;

    @Test
    void theDatasetNameFollowsTheNameRule() throws Exception {
        String dataset = Fixtures.uniqueName("golden");
        int dv = uploadDataset(dataset, "golden.csv");
        String model = Fixtures.uniqueName("eval");
        int version = uploadVersion(model, "classifier-fair.onnx");
        // U+0000 reached the lookup's SQL parameter, which PostgreSQL refuses (500); upper case was a 404
        for (String name : new String[] {dataset + "\\u0000", dataset.toUpperCase(), "x".repeat(200)}) {
            given().contentType("application/json").body(classification(name, dv, null)).post(PATH, model, version)
                    .then().statusCode(400).contentType("application/json")
                    .body("code", equalTo("INVALID_ARGUMENT"))
                    .body("error", containsString("invalid dataset name"));
        }
        assertEquals(0, evaluationsOf(model));
    }

    @Test
    void anIntegerFieldTakesWholeNumbersHoweverWrittenAndRefusesFractions() throws Exception {
        String dataset = Fixtures.uniqueName("golden");
        int dv = uploadDataset(dataset, "golden.csv");
        String model = Fixtures.uniqueName("eval");
        int version = uploadVersion(model, "classifier-fair.onnx");
        for (String number : new String[] {"1.5", "1e-1", "15E-1"}) {
            given().contentType("application/json").body(classification(dataset, dv, null)
                    .replace("\"dataset_version\": " + dv, "\"dataset_version\": " + number))
                    .post(PATH, model, version).then().statusCode(400).contentType("application/json")
                    .body("code", equalTo("INVALID_ARGUMENT"))
                    .body("error", containsString("'dataset_version'")).body("error", containsString("whole number"));
            given().contentType("application/json").body(classification(dataset, dv, number))
                    .post(PATH, model, version).then().statusCode(400).contentType("application/json")
                    .body("code", equalTo("INVALID_ARGUMENT"))
                    .body("error", containsString("'compare_with'")).body("error", containsString("whole number"));
        }
        assertEquals(0, evaluationsOf(model));
        // a whole number written as a float (a client holding numbers as floats) is that number
        given().contentType("application/json").body(classification(dataset, dv, null)
                        .replace("\"dataset_version\": " + dv, "\"dataset_version\": " + dv + ".0"))
                .post(PATH, model, version).then().statusCode(202);
        assertEquals(1, evaluationsOf(model));
    }

    @Test
    void theLabelColumnCannotAlsoBeAnInput() throws Exception {
        String dataset = Fixtures.uniqueName("golden");
        int dv = uploadDataset(dataset, "golden.csv");
        String model = Fixtures.uniqueName("eval");
        int version = uploadVersion(model, "classifier-fair.onnx");
        // the model would see the answer it is scored on
        given().contentType("application/json").body(classification(dataset, dv, null)
                        .replace("\"f4\"]", "\"species\"]"))
                .post(PATH, model, version).then().statusCode(422).contentType("application/json")
                .body("code", equalTo("SIGNATURE_MISMATCH"))
                .body("error", containsString("'species'")).body("error", containsString("label"));
        assertEquals(0, evaluationsOf(model));
    }

    @Test
    void aMappingOfMissingColumnsIsRefusedWithABoundedMessage() throws Exception {
        // Each missing column listed every column of the dataset: 100 missing columns of a dataset with 400 long
        // names made a 10 MB message; 4096 of a 1 MiB header would make 4 GB.
        List<String> names = new ArrayList<>();
        for (int i = 0; i < 400; i++) {
            names.add("c" + i + "-" + "w".repeat(200));
        }
        String csv = String.join(",", names) + "\n" + String.join(",", Collections.nCopies(400, "1")) + "\n";
        String dataset = Fixtures.uniqueName("wide");
        given().multiPart("data", "wide.csv", csv.getBytes(StandardCharsets.UTF_8))
                .post("/api/datasets/{name}/versions", dataset).then().statusCode(201);
        String model = Fixtures.uniqueName("eval");
        int version = uploadVersion(model, "classifier-fair.onnx");
        List<String> missing = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            missing.add("\"missing-" + i + "\"");
        }
        String body = "{\"dataset\": \"" + dataset + "\", \"dataset_version\": 1, \"task\": \"classification\", "
                + "\"inputs\": {\"x\": [" + String.join(", ", missing) + "]}, \"label\": \"" + "l".repeat(5000) + "\"}";
        String error = given().contentType("application/json").body(body).post(PATH, model, version).then()
                .statusCode(422).body("code", equalTo("SIGNATURE_MISMATCH"))
                .body("error", containsString("no column 'missing-0'")).extract().path("error");
        assertTrue(error.length() < 8000, "a message of " + error.length() + " characters");
        assertEquals(0, evaluationsOf(model));
    }

    @Test
    void aDatasetVersionDeletedWhileTheEvaluationIsAcceptedIsA404() throws Exception {
        String dataset = Fixtures.uniqueName("golden");
        int dv = uploadDataset(dataset, "golden.csv");
        String model = Fixtures.uniqueName("eval");
        int version = uploadVersion(model, "classifier-fair.onnx");
        try (Connection deleting = dataSource.getConnection()) {
            // The deletion runs first but commits only once the evaluation's insert waits for the row's lock: its
            // checks saw the dataset version, its foreign key then finds it gone (the race a DELETE can win).
            deleting.setAutoCommit(false);
            try (PreparedStatement delete = deleting.prepareStatement("DELETE FROM dataset_version WHERE version = ? "
                    + "AND dataset_id = (SELECT id FROM dataset WHERE name = ?)")) {
                delete.setInt(1, dv);
                delete.setString(2, dataset);
                assertEquals(1, delete.executeUpdate());
            }
            CompletableFuture<Response> submitted = CompletableFuture.supplyAsync(() -> given()
                    .contentType("application/json").body(classification(dataset, dv, null)).post(PATH, model, version));
            awaitAnInsertWaitingForALock();
            deleting.commit();
            submitted.get(30, TimeUnit.SECONDS).then().statusCode(404).contentType("application/json")
                    .body("code", equalTo("NOT_FOUND"))
                    .body("error", containsString("has no version " + dv));
        }
        assertEquals(0, evaluationsOf(model));
    }

    @Test
    void aDatasetVersionDeletedAndRecreatedWhileTheEvaluationIsAcceptedIsA409() throws Exception {
        String dataset = Fixtures.uniqueName("golden");
        int dv = uploadDataset(dataset, "golden.csv");
        String model = Fixtures.uniqueName("eval");
        int version = uploadVersion(model, "classifier-fair.onnx");
        try (Connection replacing = dataSource.getConnection()) {
            // As above, but the row comes back under the same number (a new id) in the same transaction: the foreign
            // key fails on the id the checks saw, while a lookup by name and number finds the row again, so the 404
            // does not apply. Dataset numbers are never reused by the API; this stands in for a model version that
            // the previous build re-creates under a deleted model's numbers (a 500 until now).
            replacing.setAutoCommit(false);
            try (PreparedStatement replace = replacing.prepareStatement("WITH gone AS (DELETE FROM dataset_version "
                    + "WHERE version = ? AND dataset_id = (SELECT id FROM dataset WHERE name = ?) RETURNING *) "
                    + "INSERT INTO dataset_version (dataset_id, version, format, sha256, row_count, malformed_rows, "
                    + "columns, problems, description, tags, actor) SELECT dataset_id, version, format, sha256, "
                    + "row_count, malformed_rows, columns, problems, description, tags, actor FROM gone")) {
                replace.setInt(1, dv);
                replace.setString(2, dataset);
                assertEquals(1, replace.executeUpdate());
            }
            CompletableFuture<Response> submitted = CompletableFuture.supplyAsync(() -> given()
                    .contentType("application/json").body(classification(dataset, dv, null)).post(PATH, model, version));
            awaitAnInsertWaitingForALock();
            replacing.commit();
            submitted.get(30, TimeUnit.SECONDS).then().statusCode(409).contentType("application/json")
                    .body("code", equalTo("CONFLICT"))
                    .body("error", containsString("changed while")).body("error", containsString("retry"));
        }
        assertEquals(0, evaluationsOf(model));
        // the retry the answer asks for checks the re-created row and is accepted
        given().contentType("application/json").body(classification(dataset, dv, null)).post(PATH, model, version)
                .then().statusCode(202);
        assertEquals(1, evaluationsOf(model));
    }

    private void awaitAnInsertWaitingForALock() throws Exception {
        Instant deadline = Instant.now().plus(Duration.ofSeconds(20));
        while (count(dataSource, "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' "
                + "AND query LIKE 'INSERT INTO evaluation%'") == 0) {
            assertTrue(Instant.now().isBefore(deadline), "the evaluation's insert never waited for the deleted row");
            Thread.sleep(20);
        }
    }

    private long evaluationsOf(String model) throws Exception {
        return count(dataSource, "SELECT count(*) FROM evaluation e JOIN model_version v ON v.id = e.version_id "
                + "JOIN model m ON m.id = v.model_id WHERE m.name = ?", model);
    }
}
