package dev.turnout.http;

import io.quarkus.test.junit.QuarkusTest;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;

/**
 * A wrong method is a 405 naming the methods the path takes, however the path is spelled: the router ignores matrix
 * parameters and decodes escapes, so the Allow header must be found the same way (it was missing for these), and a
 * route whose name segment ends in ":predict" is the POST one, not a GET of a model named "x:predict" (a 400).
 */
@QuarkusTest
class MethodNotAllowedPathsTest {

    @ParameterizedTest(name = "{0} {1}")
    @CsvSource({
            "DELETE, /api/models;x=1, GET",
            "PUT, /v2/health/live;x=1, GET",
            "GET, /v2/models/abc/infer;x=1, POST",
            "DELETE, /api/model%73, GET",
            "GET, /v1/models/x:predict, POST",
            "GET, /v1/models/x/versions/1:predict, POST"})
    void aWrongMethodIsA405WithAllowHoweverThePathIsSpelled(String method, String path, String allowed) {
        given().urlEncodingEnabled(false).request(method, path).then().statusCode(405)
                .contentType("application/json").body("code", equalTo("METHOD_NOT_ALLOWED"))
                .header("Allow", equalTo(allowed));
    }
}
