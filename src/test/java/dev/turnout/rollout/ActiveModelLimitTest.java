package dev.turnout.rollout;

import io.agroal.api.AgroalDataSource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static dev.turnout.TestDb.count;
import static dev.turnout.rollout.RolloutApiTest.flip;
import static dev.turnout.rollout.RolloutApiTest.modelWith;
import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.empty;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.nullValue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** turnout.serving.max-active-models bounds what every replica loads; deactivating a model frees a place. */
@QuarkusTest
@TestProfile(ActiveModelLimitTest.ThreeActiveModels.class)
class ActiveModelLimitTest {

    public static class ThreeActiveModels implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("turnout.serving.max-active-models", "3");
        }
    }

    @Inject
    AgroalDataSource dataSource;

    @Test
    void aModelBeyondTheLimitIsRefusedUntilAnotherIsDeactivated() throws Exception {
        // The embedded test database is fresh for this profile; a shared one may already be at the limit.
        List<String> mine = new ArrayList<>();
        while (activeModels() < 3) {
            String name = modelWith("linear-v1.onnx", "linear-v2.onnx");
            flip(name, "{\"version\": 1}").statusCode(200);
            mine.add(name);
        }
        String extra = modelWith("linear-v1.onnx");
        flip(extra, "{\"version\": 1}").statusCode(409).body("code", equalTo("CONFLICT"))
                .body("error", containsString("turnout.serving.max-active-models=3"))
                .body("error", containsString("DELETE /api/models/{name}/active"));
        given().get("/api/models/{name}", extra).then().body("active_version", nullValue());
        given().get("/api/models/{name}/activations", extra).then().body("$", empty()); // nothing half-written

        assumeTrue(!mine.isEmpty(), "a shared database already held 3 active models");
        String first = mine.get(0);
        flip(first, "{\"version\": 2}").statusCode(200); // an active model moving takes no new place
        given().delete("/api/models/{name}/active", first).then().statusCode(200);
        flip(extra, "{\"version\": 1}").statusCode(200);
        given().post("/api/models/{name}/rollback", first).then().statusCode(409) // coming back takes a place too
                .body("error", containsString("max-active-models"));
    }

    private long activeModels() throws Exception {
        return count(dataSource, "SELECT count(*) FROM model WHERE active_version IS NOT NULL");
    }
}
