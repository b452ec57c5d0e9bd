package dev.turnout.http;

import dev.turnout.Fixtures;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.specification.RequestSpecification;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.function.Function;

import static dev.turnout.Api.uploadAndActivate;
import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;

/** A query parameter an endpoint does not take is a 400 naming it and the accepted ones, never silently ignored. */
@QuarkusTest
class UnknownQueryParameterTest {

    private static final String OIP = "{\"inputs\":[{\"name\":\"x\",\"datatype\":\"FP32\",\"shape\":[1,1],\"data\":[3.0]}]}";
    private static String name;

    @BeforeEach
    void model() {
        if (name == null) {
            name = uploadAndActivate(Fixtures.uniqueName("params"), Fixtures.model("linear-v1.onnx"));
        }
    }

    private static void refused(String parameter, String accepted, Function<RequestSpecification, ?> call) {
        var response = (io.restassured.response.Response) call.apply(given().urlEncodingEnabled(false)
                .contentType("application/json"));
        response.then().statusCode(400).body("code", equalTo("INVALID_ARGUMENT"))
                .body("error", containsString("'" + parameter + "'"))
                .body("error", containsString(accepted));
    }

    @Test
    void registryEndpoints() {
        refused("tags", "cursor, limit, tag", r -> r.get("/api/models?tags=x"));
        refused("sort", "cursor, limit, tag", r -> r.get("/api/models/" + name + "/versions?sort=desc"));
        refused("fields", "none", r -> r.get("/api/models/" + name + "/versions/1?fields=sha256"));
        refused("x", "none", r -> r.get("/api/models/" + name + "?x"));
        refused("force", "none", r -> r.delete("/api/models/" + name + "/versions/9?force=true"));
    }

    @Test
    void rolloutEndpoints() {
        refused("wiat", "wait", r -> r.body("{\"version\": 1}").put("/api/models/" + name + "/active?wiat=30s"));
        refused("limt", "limit", r -> r.get("/api/models/" + name + "/activations?limt=5"));
        given().get("/api/models/" + name + "/activations?limit=5").then().statusCode(200);
    }

    @Test
    void servingEndpoints() {
        refused("verbose", "none", r -> r.body(OIP).post("/v2/models/" + name + "/infer?verbose=1"));
        refused("v", "none", r -> r.get("/v2/models/" + name + "?v=1"));
        refused("x", "none", r -> r.body("{\"instances\": [[3.0]]}").post("/v1/models/" + name + ":predict?x=1"));
        refused("debug", "none", r -> r.body("{\"example\": [[3.0]]}").post("/predict?debug=true"));
        given().urlEncodingEnabled(false).contentType("application/json").body(OIP)
                .post("/v2/models/" + name + "/infer").then().statusCode(200);
    }
}
