package dev.turnout.http;

import dev.turnout.Fixtures;
import io.quarkus.test.junit.QuarkusTest;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;

/**
 * Conditional downloads of model artifacts and dataset data over HTTP: an If-Match that names another ETag is a 412
 * with the JSON error every refusal has (it was an empty body), and one that names this ETag, or *, gets the bytes.
 */
@QuarkusTest
class ConditionalDownloadTest {

    @Test
    void anArtifactWhoseEtagIfMatchDoesNotNameIsA412WithAMessage() {
        String model = Fixtures.uniqueName("ifmatch");
        String sha = given().multiPart("artifact", Fixtures.model("linear-v1.onnx"))
                .post("/api/models/{name}/versions", model).then().statusCode(201).extract().path("sha256");
        assertPreconditions("/api/models/" + model + "/versions/1/artifact", sha);
    }

    @Test
    void datasetDataWhoseEtagIfMatchDoesNotNameIsA412WithAMessage() {
        String dataset = Fixtures.uniqueName("ifmatch");
        String sha = given().multiPart("data", "golden.csv", "a,b\n1,2\n".getBytes(StandardCharsets.UTF_8))
                .post("/api/datasets/{name}/versions", dataset).then().statusCode(201).extract().path("sha256");
        assertPreconditions("/api/datasets/" + dataset + "/versions/1/data", sha);
    }

    private static void assertPreconditions(String path, String sha) {
        for (String other : new String[] {"\"0000\"", "W/\"" + sha + "\"", "garbage"}) {
            given().header("If-Match", other).header("Range", "bytes=0-3").get(path).then().statusCode(412)
                    .contentType("application/json").body("code", equalTo("PRECONDITION_FAILED"))
                    .body("error", containsString("\"" + sha + "\""));
        }
        given().header("If-Match", "\"" + sha + "\"").get(path).then().statusCode(200);
        given().header("If-Match", "*").header("Range", "bytes=0-3").get(path).then().statusCode(206);
        given().header("If-None-Match", "\"" + sha + "\"").get(path).then().statusCode(304);
    }
}
