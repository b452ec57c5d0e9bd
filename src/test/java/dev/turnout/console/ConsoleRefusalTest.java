package dev.turnout.console;

import dev.turnout.Fixtures;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.response.Response;
import io.restassured.specification.RequestSpecification;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.net.URL;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.notNullValue;
import static org.hamcrest.Matchers.nullValue;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Hostile and mistaken requests to the console: HTML pages with the right status, JSON for JSON clients. */
@QuarkusTest
@TestProfile(ConsoleBrowserTest.Secured.class)
class ConsoleRefusalTest {

    private static final Pattern CSRF = Pattern.compile("name=\"csrf\" value=\"([^\"]+)\"");

    @TestHTTPResource("/")
    URL base;

    static String name;
    static String operatorCookie;
    static String operatorCsrf;

    @BeforeEach
    void model() {
        if (name != null) {
            return;
        }
        name = Fixtures.uniqueName("console-refusal");
        given().header("Authorization", "Bearer " + ConsoleBrowserTest.TOKENS.get("publisher"))
                .multiPart("artifact", Fixtures.model("linear-v1.onnx"))
                .post("/api/models/{name}/versions", name).then().statusCode(201);
        operatorCookie = signIn("operator");
        operatorCsrf = csrf(operatorCookie);
    }

    private String origin() {
        return base.toString().replaceAll("/$", "");
    }

    private String signIn(String role) {
        Response response = given().header("Origin", origin()).redirects().follow(false)
                .formParam("token", ConsoleBrowserTest.TOKENS.get(role)).post("/console/sign-in");
        response.then().statusCode(303).header("Set-Cookie", containsString("HttpOnly"))
                .header("Set-Cookie", containsString("SameSite=Strict"));
        return response.getCookie(ConsoleSessions.COOKIE);
    }

    private static String csrf(String cookie) {
        String html = given().cookie(ConsoleSessions.COOKIE, cookie).get("/console").then().statusCode(200)
                .extract().asString();
        Matcher matcher = CSRF.matcher(html);
        assertTrue(matcher.find(), html);
        return matcher.group(1);
    }

    private RequestSpecification operator() {
        return given().cookie(ConsoleSessions.COOKIE, operatorCookie).redirects().follow(false);
    }

    @Test
    void withoutASessionPagesSendToSignInAndJsonClientsGet401() {
        given().redirects().follow(false).get("/console").then().statusCode(303)
                .header("Location", containsString("/console/sign-in"));
        given().accept("application/json").get("/console/models/" + name).then().statusCode(401)
                .contentType("application/json").body("code", equalTo("UNAUTHENTICATED"));
        given().cookie(ConsoleSessions.COOKIE, operatorCookie + "x").redirects().follow(false).get("/console")
                .then().statusCode(303);
    }

    @Test
    void aWrongMethodOnAnyConsolePathIsA405NamingGet() {
        // the console's catch-all page takes a path of several segments; its 405 named no method
        for (String path : new String[] {"/console/no-such-page", "/console/no/such/page"}) {
            given().redirects().follow(false).request("DELETE", path).then().statusCode(405)
                    .header("Allow", containsString("GET")).header("Allow", not(containsString("DELETE")));
        }
    }

    @Test
    void refusalsFromOutsideTheConsoleCodeArePagesForBrowsersToo() {
        // an unknown query parameter and a wrong method are refused before any console code runs: they were JSON
        operator().accept("text/html").get("/console?utm=1").then().statusCode(400)
                .contentType(containsString("text/html")).header("Content-Security-Policy", notNullValue())
                .body(containsString("unknown query parameter"));
        operator().accept("text/html").header("Origin", origin()).formParam("csrf", operatorCsrf)
                .post("/console/models/{name}/promote", name).then().statusCode(405)
                .contentType(containsString("text/html")).header("Allow", containsString("GET"));
        operator().accept("application/json").get("/console?utm=1").then().statusCode(400)
                .contentType("application/json").body("code", equalTo("INVALID_ARGUMENT"));
    }

    @Test
    void aWrongTokenIsRefusedOnTheSignInPage() {
        given().header("Origin", origin()).formParam("token", "not-a-token").post("/console/sign-in")
                .then().statusCode(401).contentType(containsString("text/html"))
                .body(containsString("not one this server knows"));
    }

    @Test
    void unknownModelsVersionsAndPagesAre404Pages() {
        operator().get("/console/models/no-such-model").then().statusCode(404).contentType(containsString("text/html"))
                .body(containsString("no-such-model"));
        operator().accept("application/json").get("/console/models/no-such-model").then().statusCode(404)
                .contentType("application/json").body("code", equalTo("NOT_FOUND"));
        operator().get("/console/models/" + name + "/versions/abc").then().statusCode(404)
                .contentType(containsString("text/html"));
        operator().get("/console/models/" + name + "/versions/99").then().statusCode(404);
        operator().get("/console/no/such/page").then().statusCode(404).contentType(containsString("text/html"));
        operator().get("/console/models/" + "%3Cscript%3E").then().statusCode(400)
                .body(not(containsString("<script>")));
    }

    @Test
    void mutationsNeedTheSessionsCsrfTokenAndThisOrigin() {
        operator().header("Origin", origin()).formParam("csrf", "forged").formParam("version", "1")
                .post("/console/models/{name}/flip", name).then().statusCode(403).contentType(containsString("text/html"));
        operator().header("Origin", "http://evil.example").formParam("csrf", operatorCsrf).formParam("version", "1")
                .post("/console/models/{name}/flip", name).then().statusCode(403);
        operator().formParam("csrf", operatorCsrf).formParam("version", "1")
                .post("/console/models/{name}/flip", name).then().statusCode(403); // no Origin, no Referer
        given().header("Origin", origin()).formParam("csrf", operatorCsrf).formParam("version", "1")
                .post("/console/models/{name}/flip", name).then().statusCode(403); // no session
        operator().header("Origin", origin()).accept("application/json").formParam("csrf", "forged")
                .post("/console/models/{name}/rollback", name).then().statusCode(403).body("code", equalTo("FORBIDDEN"));
    }

    @Test
    void otherBodiesAndMethodsAreRefusedWithTheirStatus() {
        // the 415 told a console client to send multipart or JSON, which no console form takes
        operator().header("Origin", origin()).contentType("application/json").accept("application/json")
                .body("{\"version\": 1}").post("/console/models/{name}/flip", name).then().statusCode(415)
                .body("error", containsString("application/x-www-form-urlencoded"))
                .body("error", not(containsString("multipart")));
        operator().put("/console").then().statusCode(405);
        operator().get("/console?unknown=1").then().statusCode(400);
    }

    @Test
    void aFormWithABrokenPercentEscapeIsA400() {
        // "%zz" is no escape: the form parser throws, and the console answered 500 and logged an ERROR
        given().header("Origin", origin()).contentType("application/x-www-form-urlencoded; charset=UTF-8")
                .body("token=%zz").post("/console/sign-in").then().statusCode(400)
                .contentType(containsString("text/html")).body(containsString("x-www-form-urlencoded"));
        operator().header("Origin", origin()).contentType("application/x-www-form-urlencoded; charset=UTF-8")
                .accept("application/json").body("csrf=" + operatorCsrf + "&version=%zz")
                .post("/console/models/{name}/flip", name).then().statusCode(400).contentType("application/json")
                .body("code", equalTo("INVALID_ARGUMENT")).body("error", containsString("x-www-form-urlencoded"));
    }

    @Test
    void aFieldGivenTwiceIsA400NamingItAndNothingIsDone() {
        // the form parser kept both values and the console read the first: version=1&version=2 flipped to 1
        String model = Fixtures.uniqueName("console-twice");
        given().header("Authorization", "Bearer " + ConsoleBrowserTest.TOKENS.get("publisher"))
                .multiPart("artifact", Fixtures.model("linear-v1.onnx"))
                .post("/api/models/{name}/versions", model).then().statusCode(201);
        String form = "application/x-www-form-urlencoded; charset=UTF-8";
        String csrf = "csrf=" + operatorCsrf;
        String[][] forms = {
                {"/console/models/" + model + "/flip", csrf + "&version=1&version=2", "version"},
                {"/console/models/" + model + "/flip", csrf + "&version=1&reason=a&reason=b", "reason"},
                {"/console/models/" + model + "/flip", csrf + "&version=1&require=&require=", "require"},
                {"/console/models/" + model + "/flip", csrf + "&version=1&force=on&force=on", "force"},
                {"/console/models/" + model + "/flip", csrf + "&" + csrf + "&version=1", "csrf"},
                {"/console/models/" + model + "/rollback", csrf + "&reason=a&reason=a", "reason"},
                {"/console/models/" + model + "/deactivate", csrf + "&reason=a&reason=b", "reason"},
                {"/console/sign-out", csrf + "&" + csrf, "csrf"}};
        for (String[] sent : forms) {
            operator().header("Origin", origin()).contentType(form).body(sent[1]).post(sent[0]).then()
                    .statusCode(400).contentType(containsString("text/html"))
                    .body(containsString("&#39;" + sent[2] + "&#39; is given more than once"));
            operator().header("Origin", origin()).contentType(form).accept("application/json").body(sent[1])
                    .post(sent[0]).then().statusCode(400).contentType("application/json")
                    .body("code", equalTo("INVALID_ARGUMENT"))
                    .body("error", containsString("'" + sent[2] + "' is given more than once"));
        }
        given().header("Origin", origin()).contentType(form).redirects().follow(false)
                .body("token=" + ConsoleBrowserTest.TOKENS.get("operator") + "&token=" + ConsoleBrowserTest.TOKENS.get("viewer"))
                .post("/console/sign-in").then().statusCode(400).contentType(containsString("text/html"))
                .header("Set-Cookie", nullValue()).body(containsString("&#39;token&#39; is given more than once"));
        given().header("Authorization", "Bearer " + ConsoleBrowserTest.TOKENS.get("viewer"))
                .get("/api/models/{name}/activations", model).then().statusCode(200).body("size()", equalTo(0));
    }

    @Test
    void anOversizedFormIs413() {
        operator().header("Origin", origin()).formParam("csrf", operatorCsrf).formParam("reason", "x".repeat(20_000))
                .post("/console/models/{name}/rollback", name).then().statusCode(413);
    }

    @Test
    void badFieldsAreShownOnTheModelPage() {
        operator().header("Origin", origin()).formParam("csrf", operatorCsrf).formParam("version", "zero")
                .post("/console/models/{name}/flip", name).then().statusCode(400)
                .body(containsString("the version must be a whole number from 1"));
        operator().header("Origin", origin()).formParam("csrf", operatorCsrf).formParam("version", "1")
                .formParam("require", "rmse ~ 1").post("/console/models/{name}/flip", name).then().statusCode(400);
        operator().header("Origin", origin()).formParam("csrf", operatorCsrf)
                .post("/console/models/{name}/rollback", name).then().statusCode(409)
                .body(containsString("nothing to roll back to"));
    }

    @Test
    void aReasonWithU0000IsShownAsRefusedAndRecordsNothing() {
        // PostgreSQL cannot hold U+0000 (the insert was a 500); a form cannot carry half a surrogate pair (its UTF-8
        // decoding yields U+FFFD), so that case is the API's (RolloutApiTest)
        String model = Fixtures.uniqueName("console-reason");
        given().header("Authorization", "Bearer " + ConsoleBrowserTest.TOKENS.get("publisher"))
                .multiPart("artifact", Fixtures.model("linear-v1.onnx"))
                .post("/api/models/{name}/versions", model).then().statusCode(201);
        operator().header("Origin", origin()).formParam("csrf", operatorCsrf).formParam("version", "1")
                .formParam("reason", "a\u0000b").post("/console/models/{name}/flip", model).then().statusCode(400)
                .body(containsString("the reason holds the character U+0000"));
        given().header("Authorization", "Bearer " + ConsoleBrowserTest.TOKENS.get("viewer"))
                .get("/api/models/{name}/activations", model).then().statusCode(200).body("size()", equalTo(0));
    }

    @Test
    void theAssetsAreServedFromTheJar() {
        given().get("/console/assets/console.js").then().statusCode(200);
        given().get("/console/assets/console.css").then().statusCode(200);
        given().get("/webjars/htmx.org/2.0.10/dist/htmx.min.js").then().statusCode(200);
        given().get("/webjars/chart.js/4.5.1/dist/chart.umd.js").then().statusCode(200);
    }
}
