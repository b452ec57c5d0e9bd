package dev.turnout.rollout;

import io.agroal.api.AgroalDataSource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;

import java.sql.SQLException;

import static dev.turnout.TestDb.count;
import static dev.turnout.TestDb.execute;
import static dev.turnout.rollout.RolloutApiTest.flip;
import static dev.turnout.rollout.RolloutApiTest.modelWith;
import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Blue/green of Turnout shares one database between this build and the previous one (README "Upgrading Turnout:
 * expand/contract"). Builds before V3 map activation.version to a primitive int, so every activation line this build
 * writes must have a version; builds of V3 write deactivations there without one, and this build reads those too.
 * scripts/n-1-compat.sh runs the previous build itself against this schema.
 */
@QuarkusTest
class PreviousBuildCompatibilityTest {

    @Inject
    AgroalDataSource dataSource;

    @Test
    void aDeactivationLeavesEveryActivationLineWithAVersion() throws SQLException {
        String name = modelWith("linear-v1.onnx");
        flip(name, "{\"version\": 1}").statusCode(200);
        given().delete("/api/models/{name}/active?wait=10s", name).then().statusCode(200);

        assertEquals(0, count(dataSource, "SELECT count(*) FROM activation a JOIN model m ON m.id = a.model_id "
                + "WHERE m.name = ? AND a.version IS NULL", name), "a line the previous build cannot read");
        given().get("/api/models/{name}/activations", name).then().statusCode(200)
                .body("kind", contains("deactivate", "activate"))
                .body("version", contains(null, 1))
                .body("previous_version", contains(1, null));
    }

    @Test
    void aDeactivationWrittenByTheV3BuildIsInTheHistoryAndRolledBackFrom() throws SQLException {
        String name = modelWith("linear-v1.onnx", "linear-v2.onnx");
        flip(name, "{\"version\": 1}").statusCode(200);
        flip(name, "{\"version\": 2}").statusCode(200);
        // What the build of V3 writes when it deactivates, as the other colour.
        execute(dataSource, "UPDATE model SET active_version = NULL WHERE name = ?", name);
        execute(dataSource, "INSERT INTO activation (model_id, version, previous_version, kind, actor, reason) "
                + "SELECT id, NULL, 2, 'deactivate', 'v3-build', 'from the other colour' FROM model WHERE name = ?", name);

        given().get("/api/models/{name}/activations", name).then().statusCode(200)
                .body("kind", contains("deactivate", "activate", "activate"))
                .body("version", contains(null, 2, 1))
                .body("actor[0]", equalTo("v3-build"));
        given().post("/api/models/{name}/rollback?wait=10s", name).then().statusCode(200)
                .body("active_version", equalTo(2));

        // Lines of both kinds of deactivation and of activations interleave in the order they were written.
        given().delete("/api/models/{name}/active?wait=10s", name).then().statusCode(200);
        given().post("/api/models/{name}/rollback?wait=10s", name).then().statusCode(200)
                .body("active_version", equalTo(2));
        given().get("/api/models/{name}/activations", name).then().statusCode(200)
                .body("kind", contains("rollback", "deactivate", "rollback", "deactivate", "activate", "activate"))
                .body("version", contains(2, null, 2, null, 2, 1))
                .body("previous_version", contains(null, 2, null, 2, 1, null));
        given().get("/api/models/{name}/activations?limit=2", name).then().statusCode(200)
                .body("kind", contains("rollback", "deactivate"));
    }
}
