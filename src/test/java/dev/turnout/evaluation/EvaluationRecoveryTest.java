package dev.turnout.evaluation;

import dev.turnout.Fixtures;
import io.agroal.api.AgroalDataSource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;

import static dev.turnout.TestDb.execute;
import static dev.turnout.evaluation.Evaluations.await;
import static dev.turnout.evaluation.Evaluations.classification;
import static dev.turnout.evaluation.Evaluations.uploadDataset;
import static dev.turnout.evaluation.Evaluations.uploadVersion;
import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** An evaluation left RUNNING by a replica that died (its lease expired) is run again, or FAILED past max attempts. */
@QuarkusTest
class EvaluationRecoveryTest {

    @Inject
    AgroalDataSource db;

    @Test
    void anAbandonedEvaluationIsClaimedAgainThenFailedPastItsAttempts() throws Exception {
        String dataset = Fixtures.uniqueName("golden");
        int dv = uploadDataset(dataset, "golden.csv");
        String model = Fixtures.uniqueName("eval");
        int version = uploadVersion(model, "classifier-fair.onnx");
        String location = given().contentType("application/json").body(classification(dataset, dv, null))
                .post("/api/models/{name}/versions/{v}/evaluations", model, version)
                .then().statusCode(202).extract().header("Location");
        JsonPath first = await(location);
        assertEquals("DONE", first.getString("state"));
        long id = first.getLong("id");

        // What a replica that died mid-run leaves: RUNNING, claimed by it, its lease run out.
        execute(db, "UPDATE evaluation SET state = 'RUNNING', claimed_by = 'dead-replica/0', attempts = 1, "
                + "lease_until = now() - interval '1 second', results = NULL, finished_at = NULL, rows_done = 17 "
                + "WHERE id = ?", id);
        JsonPath rerun = await(location);
        assertEquals("DONE", rerun.getString("state"), rerun.prettify());
        assertEquals(2, rerun.getInt("attempts"));
        assertEquals(240, rerun.getLong("progress.rows_done"));

        execute(db, "UPDATE evaluation SET state = 'RUNNING', claimed_by = 'dead-replica/0', attempts = 3, "
                + "lease_until = now() - interval '1 second', results = NULL, finished_at = NULL WHERE id = ?", id);
        JsonPath abandoned = await(location);
        assertEquals("FAILED", abandoned.getString("state"), abandoned.prettify());
        assertTrue(abandoned.getString("error").contains("abandoned"), abandoned.getString("error"));

        // A lease still running is left alone: a live replica holds it.
        execute(db, "UPDATE evaluation SET state = 'RUNNING', claimed_by = 'live-replica/0', attempts = 1, "
                + "lease_until = now() + interval '1 hour', error = NULL, finished_at = NULL WHERE id = ?", id);
        Thread.sleep(1500);
        assertEquals("RUNNING", given().get(location).then().extract().path("state"));
        execute(db, "UPDATE evaluation SET state = 'FAILED' WHERE id = ?", id); // let other tests' workers be
    }
}
