package dev.turnout.serving;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;

@QuarkusTest
@TestProfile(ServingNoDefaultModelTest.NoDefaultModel.class)
class ServingNoDefaultModelTest {

    public static class NoDefaultModel implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("turnout.serving.default-model", "");
        }
    }

    @Test
    void predictWithoutADefaultModelSaysWhatToConfigure() {
        given().contentType("application/json").body("{\"example\": [[3.0]]}").post("/predict").then()
                .statusCode(404)
                .body("code", equalTo("NOT_FOUND"))
                .body("error", containsString("turnout.serving.default-model"));
    }
}
