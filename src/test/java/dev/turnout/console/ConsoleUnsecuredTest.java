package dev.turnout.console;

import dev.turnout.Fixtures;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import org.junit.jupiter.api.Test;

import java.net.URL;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** With security off (the test profile) the console needs no sign-in, and its forms are still CSRF-checked. */
@QuarkusTest
class ConsoleUnsecuredTest {

    @TestHTTPResource("/")
    URL base;

    @Test
    void everyVisitorIsAnOperatorWhoseFormsAreCsrfChecked() {
        String name = Fixtures.uniqueName("console-open");
        given().multiPart("artifact", Fixtures.model("linear-v1.onnx")).post("/api/models/{name}/versions", name)
                .then().statusCode(201);
        Response page = given().get("/console/models/" + name);
        page.then().statusCode(200).body(containsString("security is off")).body(containsString("id=\"flip-form\""));
        String cookie = page.getCookie(ConsoleSessions.COOKIE);
        Matcher csrf = Pattern.compile("name=\"csrf\" value=\"([^\"]+)\"").matcher(page.asString());
        assertTrue(csrf.find());
        String origin = base.toString().replaceAll("/$", "");
        given().cookie(ConsoleSessions.COOKIE, cookie).header("Origin", origin).formParam("version", "1")
                .post("/console/models/{name}/flip", name).then().statusCode(403);
        given().cookie(ConsoleSessions.COOKIE, cookie).header("Origin", origin).formParam("csrf", csrf.group(1))
                .formParam("version", "1").formParam("reason", "from the console").redirects().follow(false)
                .post("/console/models/{name}/flip", name).then().statusCode(303);
        given().get("/api/models/{name}/activations", name).then().statusCode(200)
                .body(containsString("anonymous (security disabled)")).body(containsString("from the console"));
    }
}
