package dev.turnout.dataset;

import dev.turnout.Fixtures;
import io.agroal.api.AgroalDataSource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import io.restassured.response.ValidatableResponse;
import jakarta.inject.Inject;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.List;

import static dev.turnout.TestDb.count;
import static dev.turnout.TestFiles.awaitNoSpooledUploads;
import static dev.turnout.dataset.DatasetApiTest.IRIS;
import static dev.turnout.dataset.DatasetApiTest.file;
import static dev.turnout.dataset.DatasetApiTest.upload;
import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Dataset uploads as a hostile client sends them, over HTTP against the real database: text PostgreSQL cannot store
 * (U+0000 in text and jsonb) is a 400 naming the part, never a 500, and leaves nothing behind.
 */
@QuarkusTest
class DatasetHostileUploadTest {

    @Inject
    AgroalDataSource dataSource;

    String name;
    long artifactsBefore;

    @BeforeEach
    void name() throws Exception {
        name = Fixtures.uniqueName("hostile");
        artifactsBefore = count(dataSource, "SELECT count(*) FROM artifact");
    }

    @Test
    void aNulCharacterInAColumnNameIsRefused() throws Exception {
        // the format named, so the sniffing of binary files does not catch the NUL byte first
        refused(upload(name, file("sepal\u0000length,species\n5.1,setosa\n"), "format", "csv"))
                .body("error", containsString("U+0000"));
        // JSON Lines escapes it: no NUL byte in the file at all
        refused(upload(name, file("{\"sepal\\u0000length\": 5.1, \"species\": \"setosa\"}\n")))
                .body("error", containsString("U+0000"));
    }

    @Test
    void aNulCharacterInTheDescriptionOrATagIsRefused() throws Exception {
        refused(upload(name, file(IRIS), "description", "hold\u0000out")).body("error", containsString("description"));
        refused(upload(name, file(IRIS), "tags", "{\"source\": \"u\\u0000ci\"}"))
                .body("error", containsString("tag 'source'"));
    }

    @Test
    void anUnpairedSurrogateInAColumnNameOrATagIsRefused() throws Exception {
        // UTF-8 cannot encode half of a surrogate pair: the driver stored '?' instead, so the stored column named
        // none of the file's keys (every row refused by evaluations) and the tag changed silently
        refused(upload(name, file("{\"sepal\\ud800\": 5.1, \"species\": \"setosa\"}\n")))
                .body("error", containsString("unpaired surrogate"));
        refused(upload(name, file(IRIS), "tags", "{\"source\": \"u\\udc00ci\"}"))
                .body("error", containsString("tag 'source'"));
    }

    @Test
    void aBodyOfMorePartsThanTheFormParserTakesIsRefused() throws Exception {
        // the multipart parser stops at 1000 parts with a RuntimeException: it was a 500
        var request = given().multiPart("data", file(IRIS));
        for (int i = 0; i < 1001; i++) {
            request.multiPart("x" + i, "1");
        }
        refused(request.post("/api/datasets/{name}/versions", name)).body("error", containsString("1000 parts"));
    }

    private ValidatableResponse refused(Response response) throws Exception {
        ValidatableResponse answer = response.then().statusCode(400).contentType("application/json")
                .body("code", equalTo("INVALID_ARGUMENT"));
        assertEquals(0, count(dataSource, "SELECT count(*) FROM dataset WHERE name = ?", name));
        assertEquals(artifactsBefore, count(dataSource, "SELECT count(*) FROM artifact"));
        assertEquals(List.of(), awaitNoSpooledUploads(), "no spooled upload may remain");
        return answer;
    }
}
