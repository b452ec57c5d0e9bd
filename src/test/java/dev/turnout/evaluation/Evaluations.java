package dev.turnout.evaluation;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.turnout.Fixtures;
import io.restassured.path.json.JsonPath;
import io.restassured.path.json.config.JsonPathConfig;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.time.Duration;
import java.time.Instant;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

/** The evaluation fixtures (scripts/make-fixtures.py) and the HTTP steps the evaluation tests share. */
final class Evaluations {

    private Evaluations() {
    }

    static File fixture(String name) {
        try {
            return new File(Evaluations.class.getResource("/evaluation/" + name).toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    /** reference.json: the figures numpy computed for each fixture model. */
    static JsonNode reference(String model) {
        try {
            return new ObjectMapper().readTree(fixture("reference.json")).get(model);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Uploads a dataset version from a fixture file; returns its number. */
    static int uploadDataset(String name, String file) {
        return given().multiPart("data", fixture(file)).post("/api/datasets/{name}/versions", name)
                .then().statusCode(201).extract().path("version");
    }

    static int uploadVersion(String model, String file) {
        return given().multiPart("artifact", fixture(file)).post("/api/models/{name}/versions", model)
                .then().statusCode(201).extract().path("version");
    }

    static int uploadModel(String model, String modelsFixture) {
        return given().multiPart("artifact", Fixtures.model(modelsFixture)).post("/api/models/{name}/versions", model)
                .then().statusCode(201).extract().path("version");
    }

    static String classification(String dataset, int datasetVersion, String compareWith) {
        return "{\"dataset\": \"" + dataset + "\", \"dataset_version\": " + datasetVersion + ", \"task\": "
                + "\"classification\", \"inputs\": {\"x\": [\"f1\", \"f2\", \"f3\", \"f4\"]}, \"label\": \"species\""
                + (compareWith == null ? "" : ", \"compare_with\": " + compareWith) + "}";
    }

    /** Submits an evaluation (202 + Location) and waits until it is DONE or FAILED; returns its final JSON. */
    static JsonPath evaluate(String model, int version, String body) {
        String location = given().contentType("application/json").body(body)
                .post("/api/models/{name}/versions/{v}/evaluations", model, version)
                .then().statusCode(202).extract().header("Location");
        return await(location);
    }

    static JsonPath await(String location) {
        Instant deadline = Instant.now().plus(Duration.ofSeconds(60));
        while (Instant.now().isBefore(deadline)) {
            // doubles, not RestAssured's default floats: the figures are compared to 1e-6
            JsonPath evaluation = new JsonPath(given().get(location).then().statusCode(200).extract().asString())
                    .using(new JsonPathConfig(JsonPathConfig.NumberReturnType.DOUBLE));
            String state = evaluation.getString("state");
            if (state.equals("DONE") || state.equals("FAILED")) {
                return evaluation;
            }
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
        }
        fail("evaluation " + location + " did not finish in 60 s");
        return null;
    }

    /** Every headline figure the server computed equals numpy's to 1e-6. */
    static void assertFigures(JsonNode expected, java.util.Map<String, ?> actual) {
        assertEquals(expected.size(), actual.size(), "figures: " + actual);
        expected.fields().forEachRemaining(field -> assertEquals(field.getValue().doubleValue(),
                ((Number) actual.get(field.getKey())).doubleValue(), 1e-6, field.getKey()));
    }
}
